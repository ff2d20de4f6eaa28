/**
 * Consumer protocol assignments written byte by byte as the Java consumer lays them out (not
 * with our encoder, so a shared mistake of our encoder and decoder cannot pass unnoticed).
 */
export function assignmentBytes(version: number, topics: Array<[string, number[]]>, userData: Buffer | null = null): Buffer {
  const parts: Buffer[] = [];
  const int16 = (n: number): Buffer => {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    return b;
  };
  const int32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  };
  parts.push(int16(version), int32(topics.length));
  for (const [topic, partitions] of topics) {
    const name = Buffer.from(topic, 'utf8');
    parts.push(int16(name.length), name, int32(partitions.length), ...partitions.map(int32));
  }
  parts.push(userData === null ? int32(-1) : Buffer.concat([int32(userData.length), userData]));
  return Buffer.concat(parts);
}
