/**
 * The bookkeeping structures of the pacer: a queue pruned from the front and a sliding maximum.
 * Every operation is O(1) amortised, so pacing costs the same with 10 or 10,000 requests per
 * window.
 */

/** A FIFO queue on an array with a moving head; compacts itself once the dead prefix dominates. */
export class Queue<T> {
  private items: T[] = [];
  private head = 0;

  /** Number of items. */
  get length(): number {
    return this.items.length - this.head;
  }

  /** Adds at the back. */
  push(item: T): void {
    this.items.push(item);
  }

  /** The item `index` places behind the front, if any. */
  at(index: number): T | undefined {
    return index >= 0 && index < this.length ? this.items[this.head + index] : undefined;
  }

  /** The front item, if any. */
  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  /** The back item, if any. */
  peekBack(): T | undefined {
    return this.head < this.items.length ? this.items[this.items.length - 1] : undefined;
  }

  /** Removes and returns the front item. */
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Removes and returns the back item. */
  pop(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    return this.items.pop();
  }

  /** Removes everything. */
  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

interface HeldValue {
  value: number;
  until: number;
}

/**
 * The largest value whose hold has not ended. Values are added in time order with holds that
 * never end earlier than a previous one's, so a monotone queue (values decreasing from front to
 * back) answers in O(1) amortised: an entry dominated by a newer, larger one can never be the
 * maximum again.
 */
export class SlidingMax {
  private readonly entries = new Queue<HeldValue>();

  /** Records `value`, held while `now < until`. */
  add(value: number, until: number): void {
    for (let back = this.entries.peekBack(); back && back.value <= value; ) {
      this.entries.pop();
      back = this.entries.peekBack();
    }
    this.entries.push({ value, until });
  }

  /** The largest value still held at `now` (0 when none). */
  max(now: number): number {
    this.prune(now);
    return this.entries.peek()?.value ?? 0;
  }

  /** When the current maximum stops being held (undefined when nothing is held). */
  nextChange(now: number): number | undefined {
    this.prune(now);
    return this.entries.peek()?.until;
  }

  /** Forgets everything. */
  clear(): void {
    this.entries.clear();
  }

  private prune(now: number): void {
    for (let front = this.entries.peek(); front && front.until <= now; ) {
      this.entries.shift();
      front = this.entries.peek();
    }
  }
}
