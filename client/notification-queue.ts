/**
 * An async iterable over notifications: a queue that a consumer pulls with `for await`, ended
 * when the client closes. Notifications that arrive while nobody pulls wait in the queue.
 */
import type { Notification } from './transport.js';

export class NotificationQueue implements AsyncIterableIterator<Notification> {
  private readonly buffered: Notification[] = [];
  private readonly waiting: Array<(r: IteratorResult<Notification>) => void> = [];
  private ended = false;
  private readonly onReturn: () => void;

  constructor(onReturn: () => void) {
    this.onReturn = onReturn;
  }

  push(notification: Notification): void {
    if (this.ended) return;
    const waiter = this.waiting.shift();
    if (waiter !== undefined) waiter({ value: notification, done: false });
    else this.buffered.push(notification);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const waiter of this.waiting.splice(0)) waiter({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<Notification>> {
    const value = this.buffered.shift();
    if (value !== undefined) return Promise.resolve({ value, done: false });
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  return(): Promise<IteratorResult<Notification>> {
    this.end();
    this.buffered.length = 0;
    this.onReturn();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Notification> {
    return this;
  }
}
