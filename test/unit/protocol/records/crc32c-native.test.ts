/**
 * The CRC-32C addon (native/build/crc32c.node): in use wherever it is built on a CPU with the
 * instruction, equal to the table version on every length around its three-stream stride, and
 * refusing bad arguments with clear errors.
 */
import test from 'ava';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { crc32c, CRC32C_ADDON_PATH, crc32cImplementation, nativeCrc32cs } from '../../../../protocol/records/crc32c.js';
import { crc32cTable } from '../../../../protocol/records/crc32c-table.js';

type AddonCrc32c = (...args: unknown[]) => number;
const addon = existsSync(CRC32C_ADDON_PATH) ? (createRequire(import.meta.url)(CRC32C_ADDON_PATH) as { crc32c?: AddonCrc32c }) : undefined;

// scripts/test fails when ensure-deps leaves no addon, so on CI (x86-64 with SSE4.2) this asserts the addon is used.
test('the addon is in use wherever it is built and the CPU has the instruction', (t) => {
  if (addon?.crc32c === undefined) {
    t.not(crc32cImplementation, 'crc32c addon');
    t.log(addon === undefined ? `no ${CRC32C_ADDON_PATH}` : 'this CPU has no SSE4.2 crc32: the addon exports nothing');
    return;
  }
  t.is(crc32cImplementation, 'crc32c addon');
  t.is(addon.crc32c(Buffer.from('123456789'), 0, 9), 0xe3069283);
});

test('the addon equals the table version on lengths around its stride (3 x 2048 bytes) and on any range', (t) => {
  const fn = addon?.crc32c;
  if (fn === undefined) {
    t.pass();
    return;
  }
  const data = randomBytes(40_000);
  const lengths = [0, 1, 7, 8, 9, 511, 512, 6143, 6144, 6145, 6151, 12_288, 12_289, 18_431, 39_990];
  for (const length of lengths) {
    for (const start of [0, 1, 3, 8]) {
      t.is(fn(data, start, start + length), crc32cTable(data, start, start + length), `length ${length} from ${start}`);
    }
  }
  for (let i = 0; i < 300; i++) {
    const start = Math.floor(Math.random() * 20_000);
    const end = start + Math.floor(Math.random() * 20_000);
    t.is(fn(data, start, end), crc32cTable(data, start, end));
  }
  // The module's crc32c dispatches large inputs to it and small ones to the table.
  t.is(crc32c(data), crc32cTable(data));
  t.is(crc32c(data, 5, 100), crc32cTable(data, 5, 100));
});

test('the addon refuses bad arguments with TypeError or RangeError and code ERR_CRC32C_NATIVE_ARGUMENT', (t) => {
  const fn = addon?.crc32c;
  if (fn === undefined) {
    t.pass();
    return;
  }
  const data = Buffer.alloc(10);
  const refused = (call: () => unknown, type: typeof TypeError | typeof RangeError, message: RegExp): void => {
    const err = t.throws(call, { instanceOf: type, message });
    t.is((err as Error & { code?: string } | undefined)?.code, 'ERR_CRC32C_NATIVE_ARGUMENT');
  };
  refused(() => fn(data, 0), TypeError, /crc32c\(src, start, end\) takes 3 arguments, got 2/);
  refused(() => fn('text', 0, 1), TypeError, /src must be a Uint8Array or Buffer/);
  refused(() => fn(new Uint16Array(4), 0, 1), TypeError, /src must be a Uint8Array or Buffer/);
  refused(() => fn(data, '0', 1), TypeError, /start must be a number/);
  refused(() => fn(data, 0, 11), RangeError, /end must be an integer from 0 to 10, got 11/);
  refused(() => fn(data, Number.NaN, 1), RangeError, /start must be an integer/);
  refused(() => fn(data, 1.5, 2), RangeError, /start must be an integer/);
  refused(() => fn(data, 6, 5), RangeError, /start is after end/);
});

test('every native implementation that loads equals the table version, over whole buffers and ranges', (t) => {
  const data = randomBytes(20_000);
  const loaded = Object.entries(nativeCrc32cs).filter(([, fn]) => fn !== undefined);
  t.true(loaded.length > 0, 'at least @node-rs/crc32 loads on every platform this project supports');
  for (const [name, fn] of loaded) {
    t.is(fn!(data, 0, data.length), crc32cTable(data, 0, data.length), `${name}, whole buffer`);
    t.is(fn!(data, 17, 12_345), crc32cTable(data, 17, 12_345), `${name}, a range`);
    t.is(fn!(data, 0, 600), crc32cTable(data, 0, 600), `${name}, a prefix`);
  }
  t.is(crc32cImplementation, nativeCrc32cs.addon !== undefined ? 'crc32c addon' : '@node-rs/crc32');
});
