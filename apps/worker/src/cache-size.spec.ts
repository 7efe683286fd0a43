import { CACHED_EXECUTION_MIB, cachedExecutionsFor } from './cache-size';

describe('cachedExecutionsFor', () => {
  it('keeps the cache within three quarters of the heap left after the base, at the measured size per execution', () => {
    // This machine's default heap limit (4144 MiB): 1,972 executions, about 2.9 GiB at 1.5 MiB each.
    expect(cachedExecutionsFor(4144)).toBe(1972);
    expect(cachedExecutionsFor(4144) * CACHED_EXECUTION_MIB).toBeLessThan(4144 - 200);
    // The SDK's own default for the same heap (600 per GiB above 200 MiB) would have kept 2,310.
    expect(cachedExecutionsFor(4144)).toBeLessThan(Math.floor(((4144 - 200) * 600) / 1024));
  });

  it('scales with the heap it is given and never goes below 10', () => {
    expect(cachedExecutionsFor(1024)).toBe(412);
    expect(cachedExecutionsFor(1024, 3)).toBe(206);
    expect(cachedExecutionsFor(128)).toBe(10);
  });
});
