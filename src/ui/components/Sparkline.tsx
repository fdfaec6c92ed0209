/** A one-line bar chart of recent samples. Renders nothing when there are none. */
import { Text } from 'ink';
import { sparkline } from '../format.js';

interface SparklineProps {
  /** Samples, oldest first. */
  values: readonly number[];
  /** At most this many bars (the most recent samples). */
  width?: number;
  min?: number;
  max?: number;
  color?: string | undefined;
}

export function Sparkline({ values, width = 20, min, max, color }: SparklineProps) {
  const bars = sparkline(values, width, { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) });
  if (!bars) return null;
  return <Text {...(color ? { color } : {})}>{bars}</Text>;
}
