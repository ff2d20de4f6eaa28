import test from 'ava';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createActor, setup } from 'xstate';
import { InspectionHub } from '../../../../../daemon/http/inspector.js';
import { createVizHandler } from '../../../../../daemon/http/viz/routes.js';
import { registeredGraphs } from '../../../../../daemon/machine-registry.js';

const toggle = setup({}).createMachine({ id: 'toggle', initial: 'off', states: { off: { on: { flip: 'on' } }, on: { on: { flip: 'off' } } } });

interface Reply {
  status: number;
  type: string;
  body: string;
}

async function fetchText(base: string, path: string, init?: RequestInit): Promise<Reply> {
  const res = await fetch(base + path, init);
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

async function serve(t: { teardown(fn: () => void): void }) {
  const assets = await mkdtemp(join(tmpdir(), 'viz-assets-'));
  await writeFile(join(assets, 'app.js'), 'console.log("app")');
  const hub = new InspectionHub();
  const handler = createVizHandler({ hub, assetsDir: assets });
  const server: Server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const actor = createActor(toggle, { systemId: 'toggle', inspect: hub.inspect });
  actor.start();
  t.teardown(() => {
    actor.stop();
    server.closeAllConnections();
    server.close();
  });
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, actor, hub };
}

test('the page links its bundled assets, which are served; other names are not', async (t) => {
  const { base } = await serve(t);
  const page = await fetchText(base, '/machines');
  t.is(page.status, 200);
  t.regex(page.type, /^text\/html/);
  t.regex(page.body, /<script type="module" src="\/machines\/assets\/app\.js">/);
  t.regex(page.body, /data-api="\/api\/"/);
  t.like(await fetchText(base, '/machines/assets/app.js'), { status: 200, body: 'console.log("app")' });
  t.regex((await fetchText(base, '/machines/assets/app.js')).type, /^text\/javascript/);
  t.like(await fetchText(base, '/machines/assets/app.css'), { status: 404 });
  t.regex((await fetchText(base, '/machines/assets/app.css')).body, /npm run build:viz/);
  t.like(await fetchText(base, '/machines/assets/..%2F..%2Fpackage.json'), { status: 404 });
});

test('/api/machines: every registered machine graph', async (t) => {
  const { base } = await serve(t);
  const reply = await fetchText(base, '/api/machines');
  t.regex(reply.type, /^application\/json/);
  t.deepEqual(JSON.parse(reply.body), JSON.parse(JSON.stringify(registeredGraphs())));
});

test('/api/actors and /api/actors/<session>/events follow the actors', async (t) => {
  const { base, actor } = await serve(t);
  actor.send({ type: 'flip' });
  const rows = JSON.parse((await fetchText(base, '/api/actors')).body) as { sessionId: string; systemId: string; state: string[] }[];
  t.like(rows, [{ systemId: 'toggle', state: ['on'] }]);
  const events = JSON.parse((await fetchText(base, `/api/actors/${rows[0]?.sessionId}/events`)).body) as { event: string; to: string[] }[];
  t.deepEqual(events.map((e) => [e.event, e.to]), [['xstate.init', ['off']], ['flip', ['on']]]);
  t.like(await fetchText(base, '/api/actors/nope/events'), { status: 404 });
  t.like(await fetchText(base, '/api/other'), { status: 404 });
  t.like(await fetchText(base, '/api/actors', { method: 'POST' }), { status: 405 });
});

test('/api/events: an event stream starting with hello, then transitions', async (t) => {
  const { base, actor, hub } = await serve(t);
  const text = await new Promise<string>((resolve, reject) => {
    get(`${base}/api/events`, (res) => {
      t.is(res.headers['content-type'], 'text/event-stream');
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        data += chunk;
        if (data.startsWith('event: hello') && hub.streams === 1 && !data.includes('event: transition')) actor.send({ type: 'flip' });
        if (data.includes('event: transition')) {
          res.destroy();
          resolve(data);
        }
      });
    }).on('error', reject);
  });
  t.regex(text, /^event: hello\ndata: \{"actors":\[\{.*"systemId":"toggle"/);
  t.regex(text, /event: transition\ndata: \{"row":\{.*"state":\["on"\].*"entry":\{.*"event":"flip"/);
});
