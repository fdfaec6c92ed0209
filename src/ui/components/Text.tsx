/** Small text helpers shared by the views. */
import { Text } from 'ink';
import type { ReactNode } from 'react';

/** One line, cut at the container's width, never wrapped. */
export function Line({ children, color, bold, inverse, dim }: { children?: ReactNode; color?: string | undefined; bold?: boolean; inverse?: boolean; dim?: boolean }) {
  return (
    <Text wrap="truncate-end" {...(color ? { color } : {})} bold={bold === true} inverse={inverse === true} dimColor={dim === true}>
      {children ?? ' '}
    </Text>
  );
}

/** A color name when colors are on, else nothing (NO_COLOR). */
export const tint = (on: boolean, name: string | undefined): string | undefined => (on ? name : undefined);
