/**
 * DeadlineQueue holds at most one deadline per id (a key or a provider) and yields the ids whose
 * deadline has passed, earliest first. It is a binary min-heap with lazy deletion: `set` and
 * `delete` are O(log n) / O(1), `takeDue` O(k log n) for k due ids — no scan of all pending ids
 * per timer, which matters when tens of thousands of keys wait out a persistence window.
 *
 * Memory: one Map entry per id with a deadline, plus heap entries; superseded heap entries are
 * dropped lazily and the heap is rebuilt when they outnumber live ones, so the heap stays within
 * twice the number of live deadlines (plus a small constant).
 */
export class DeadlineQueue {
  private readonly deadlines = new Map<string, number>();
  private heapAt: number[] = [];
  private heapId: string[] = [];

  /** size is the number of ids with a deadline. */
  get size(): number {
    return this.deadlines.size;
  }

  /** set gives `id` the deadline `atMs`, replacing its previous one. */
  set(id: string, atMs: number): void {
    if (this.deadlines.get(id) === atMs) return;
    this.deadlines.set(id, atMs);
    this.push(atMs, id);
    if (this.heapAt.length > 2 * this.deadlines.size + 64) this.rebuild();
  }

  /** delete removes `id`'s deadline, if any. */
  delete(id: string): void {
    this.deadlines.delete(id);
  }

  /** nextMs is the earliest deadline, or null when there is none. */
  nextMs(): number | null {
    this.dropStale();
    return this.heapAt.length === 0 ? null : (this.heapAt[0] ?? null);
  }

  /** takeDue removes and returns the ids whose deadline is at or before `nowMs`, earliest first. */
  takeDue(nowMs: number): string[] {
    const due: string[] = [];
    for (;;) {
      this.dropStale();
      const at = this.heapAt[0];
      const id = this.heapId[0];
      if (at === undefined || id === undefined || at > nowMs) return due;
      this.pop();
      this.deadlines.delete(id);
      due.push(id);
    }
  }

  /** clear removes every deadline. */
  clear(): void {
    this.deadlines.clear();
    this.heapAt = [];
    this.heapId = [];
  }

  private dropStale(): void {
    for (;;) {
      const at = this.heapAt[0];
      const id = this.heapId[0];
      if (at === undefined || id === undefined || this.deadlines.get(id) === at) return;
      this.pop();
    }
  }

  private rebuild(): void {
    this.heapAt = [];
    this.heapId = [];
    for (const [id, at] of this.deadlines) this.push(at, id);
  }

  private push(at: number, id: string): void {
    const heapAt = this.heapAt;
    const heapId = this.heapId;
    let i = heapAt.length;
    heapAt.push(at);
    heapId.push(id);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentAt = heapAt[parent] ?? 0;
      if (parentAt <= at) break;
      heapAt[i] = parentAt;
      heapId[i] = heapId[parent] ?? '';
      i = parent;
    }
    heapAt[i] = at;
    heapId[i] = id;
  }

  private pop(): void {
    const heapAt = this.heapAt;
    const heapId = this.heapId;
    const lastAt = heapAt.pop();
    const lastId = heapId.pop();
    if (lastAt === undefined || lastId === undefined || heapAt.length === 0) return;
    const n = heapAt.length;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && (heapAt[right] ?? 0) < (heapAt[left] ?? 0) ? right : left;
      const childAt = heapAt[child] ?? 0;
      if (childAt >= lastAt) break;
      heapAt[i] = childAt;
      heapId[i] = heapId[child] ?? '';
      i = child;
    }
    heapAt[i] = lastAt;
    heapId[i] = lastId;
  }
}
