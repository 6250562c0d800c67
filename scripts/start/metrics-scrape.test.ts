import { describe, expect, it } from 'vitest';
import { sumMetric } from './metrics-scrape.ts';

describe('sumMetric', () => {
  const text = [
    '# HELP driftline_events_in_total Events consumed',
    '# TYPE driftline_events_in_total counter',
    'driftline_events_in_total{topic="a"} 3',
    'driftline_events_in_total{topic="b"} 4.5',
    'driftline_events_in_totally_other 100',
    'driftline_sink_chunk_size_bucket{le="1"} 9',
    'driftline_sink_chunk_size_sum 7',
  ].join('\n');

  it('adds every label set of the named metric and nothing else', () => {
    expect(sumMetric(text, 'driftline_events_in_total')).toBe(7.5);
    expect(sumMetric(text, 'driftline_sink_chunk_size')).toBe(0);
  });

  it('reads an unlabelled sample', () => {
    expect(sumMetric('up 1\n', 'up')).toBe(1);
  });
});
