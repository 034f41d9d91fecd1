/**
 * Runs async jobs with at most `size` in flight, and hands back one promise per job in input
 * order, so that a mocha `it` per job can await its own while the others keep running.
 */
export function runPooled<T>(jobs: readonly (() => Promise<T>)[], size: number): Promise<T>[] {
  const results = jobs.map(() => {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
    promise.catch(() => undefined); // observed by the test that awaits it
    return { promise, resolve, reject };
  });
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      await jobs[i]().then(results[i].resolve, results[i].reject);
    }
  };
  for (let w = 0; w < Math.min(size, jobs.length); w++) void worker();
  return results.map((r) => r.promise);
}
