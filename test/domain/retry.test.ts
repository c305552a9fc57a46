import { fullJitter, retry } from '../../functions/domain/retry';

class Lost extends Error {}

test('retries the errors retryOn names, waiting backoff(attempt) before each further try', async () => {
  const waits: number[] = [];
  let calls = 0;
  const result = await retry(
    async (n) => {
      calls++;
      if (n < 3) throw new Lost(`try ${n}`);
      return `done on ${n}`;
    },
    { attempts: 5, retryOn: (err) => err instanceof Lost, backoff: (n) => n * 10, sleep: async (ms) => void waits.push(ms) },
  );
  expect(result).toBe('done on 3');
  expect(calls).toBe(3);
  expect(waits).toEqual([20, 30]);
});

test('an error retryOn does not name propagates at once', async () => {
  let calls = 0;
  await expect(
    retry(
      async () => {
        calls++;
        throw new TypeError('a bug');
      },
      { attempts: 5, retryOn: (err) => err instanceof Lost },
    ),
  ).rejects.toThrow(TypeError);
  expect(calls).toBe(1);
});

test('after the last attempt the last retried error is thrown', async () => {
  let calls = 0;
  await expect(
    retry(
      async (n) => {
        calls++;
        throw new Lost(`try ${n}`);
      },
      { attempts: 3, retryOn: () => true },
    ),
  ).rejects.toThrow('try 3');
  expect(calls).toBe(3);
});

test('false means "not done": tried again, then onExhausted', async () => {
  let calls = 0;
  await expect(
    retry(
      async () => {
        calls++;
        return false;
      },
      { attempts: 4, onExhausted: (n) => new Error(`gave up after ${n}`) },
    ),
  ).rejects.toThrow('gave up after 4');
  expect(calls).toBe(4);
});

test('undefined is a result (done), not "not done"', async () => {
  let calls = 0;
  await retry(
    async () => {
      calls++;
    },
    { attempts: 3 },
  );
  expect(calls).toBe(1);
});

test('fullJitter stays below min(cap, base * 2^attempt)', () => {
  expect(fullJitter(50, 2000, () => 0.999)(2)).toBeCloseTo(199.8);
  expect(fullJitter(50, 2000, () => 0.999)(10)).toBeCloseTo(1998);
  expect(fullJitter(50, 2000, () => 0)(3)).toBe(0);
});
