/**
 * Views the hub re-reads from its store and sends whole (a console's case
 * queue, a pharmacy's counter cases): two reads of one view in flight at once
 * can land out of order, and the older one, sent last, stays on screen until
 * the next change — which may never come. A `Refreshes` runs one read per
 * view at a time; a change during a read asks for one more read after it
 * (however many changes came), so the last view sent was read after the last
 * change.
 */
export class Refreshes<K> {
  private readonly running = new Map<K, { again: boolean; done: Promise<void> }>();

  /**
   * Runs `read` for `key`, or once more after the run under way for `key`
   * (with the `read` that run was started with). Resolves once the view sent
   * was read after this call; rejects with the last read's failure when no
   * request came during it (one that did reads again).
   */
  request(key: K, read: () => Promise<void>): Promise<void> {
    const current = this.running.get(key);
    if (current) {
      current.again = true;
      return current.done;
    }
    const run = { again: false, done: Promise.resolve() };
    run.done = (async () => {
      try {
        let failure: { error: unknown } | null;
        do {
          run.again = false;
          failure = null;
          try {
            await read();
          } catch (error) {
            failure = { error };
          }
        } while (run.again);
        if (failure) throw failure.error;
      } finally {
        this.running.delete(key);
      }
    })();
    this.running.set(key, run);
    return run.done;
  }
}
