/**
 * One thing at a time per key: two applies of the same environment take turns, the second
 * starting once the first is done (whether it succeeded or not), so their stops and starts
 * never interleave. Different keys do not wait for each other.
 */
export class Turns {
  private readonly tails = new Map<string, Promise<void>>();

  take<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const mine = before.then(work);
    const tail = mine.then(
      () => {},
      () => {},
    );
    this.tails.set(key, tail);
    // The last in line clears its key, so the map holds only environments being worked on.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return mine;
  }
}
