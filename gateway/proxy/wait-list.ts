/**
 * wait-list.ts: an intrusive FIFO of exchanges (the pool's wait queues and its list of stalled
 * answers): each item carries its own links, so adding, taking the first and removing any one are
 * O(1) — tens of thousands of queued requests leave as fast as they came (an array's
 * indexOf + splice made aborting 60,000 of them take seconds).
 */

/** Linked is what an item needs: its links and the list it is on. */
export interface Linked<T> {
  prev: T | null;
  next: T | null;
  list: object | null;
}

/** WaitList is one FIFO; an item is on at most one list at a time. */
export class WaitList<T extends Linked<T>> {
  head: T | null = null;
  private tail: T | null = null;
  size = 0;

  push(x: T): void {
    x.list = this;
    x.prev = this.tail;
    x.next = null;
    if (this.tail === null) this.head = x;
    else this.tail.next = x;
    this.tail = x;
    this.size++;
  }

  /** shift takes the first item (null when empty). */
  shift(): T | null {
    const x = this.head;
    if (x !== null) this.remove(x);
    return x;
  }

  /** remove takes `x` off this list; nothing happens when it is not on it. */
  remove(x: T): void {
    if (x.list !== this) return;
    if (x.prev === null) this.head = x.next;
    else x.prev.next = x.next;
    if (x.next === null) this.tail = x.prev;
    else x.next.prev = x.prev;
    x.prev = x.next = null;
    x.list = null;
    this.size--;
  }
}
