/**
 * A Server-Sent Events parser (the WHATWG event-stream format): feed it text chunks as they arrive, get whole
 * events back. Pure, so a recorded stream replays exactly.
 */
export interface SseEvent {
  /** The last `id:` seen (it persists across events, as the spec says); what `Last-Event-ID` resumes from. */
  readonly id?: string;
  readonly event: string;
  readonly data: string;
}

export class SseParser {
  #buffer = '';
  #lastId: string | undefined;
  #event = '';
  #data: string[] = [];

  /** Returns the events completed by this chunk. */
  feed(chunk: string): SseEvent[] {
    this.#buffer += chunk;
    const events: SseEvent[] = [];
    let newline: number;
    while ((newline = this.#buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.#buffer.slice(0, newline);
      const width = this.#buffer.startsWith('\r\n', newline) ? 2 : 1;
      // A lone trailing \r may be the first half of \r\n: wait for the next chunk.
      if (width === 1 && this.#buffer[newline] === '\r' && newline === this.#buffer.length - 1) break;
      this.#buffer = this.#buffer.slice(newline + width);
      const event = this.#line(line);
      if (event) events.push(event);
    }
    return events;
  }

  #line(line: string): SseEvent | undefined {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return undefined; // comment / keep-alive
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
    else if (field === 'id' && !value.includes('\0')) this.#lastId = value;
    return undefined;
  }

  #dispatch(): SseEvent | undefined {
    const data = this.#data;
    const event = this.#event || 'message';
    this.#data = [];
    this.#event = '';
    if (data.length === 0) return undefined;
    return { ...(this.#lastId !== undefined ? { id: this.#lastId } : {}), event, data: data.join('\n') };
  }
}
