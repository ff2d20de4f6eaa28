// A small line builder that keeps generated code consistently indented.

export class Code {
  constructor() {
    this.lines = [];
    this.depth = 0;
  }

  line(text = '') {
    this.lines.push(text === '' ? '' : '  '.repeat(this.depth) + text);
    return this;
  }

  /** Emits `head {`, the body at one more level, then `}` (or `tail`). */
  block(head, body, tail = '}') {
    const last = this.lines.length - 1;
    if (head.startsWith('else') && last >= 0 && this.lines[last] === '  '.repeat(this.depth) + '}') {
      this.lines[last] += ` ${head} {`;
    } else {
      this.line(`${head} {`);
    }
    this.depth++;
    body();
    this.depth--;
    this.line(tail);
    return this;
  }

  toString() {
    return this.lines.join('\n') + '\n';
  }
}
