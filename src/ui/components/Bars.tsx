/** The title line at the top and the key/message line at the bottom. */
import { Text } from 'ink';
import { clip } from '../../text.js';
import { filterPrompt, spread } from '../format.js';
import { Line, tint } from './Text.js';

export function TitleBar({ left, right, width, color }: { left: string; right: string; width: number; color: boolean }) {
  return (
    <Line bold color={tint(color, 'cyan')}>
      {spread(` ${left}`, right, width)}
    </Line>
  );
}

interface FooterProps {
  width: number;
  color: boolean;
  /** A question waiting for y/N: wins over everything else. */
  prompt?: string | null;
  /** The filter being typed. */
  filterInput?: string | null;
  message?: { text: string; error: boolean } | null;
  /** Key help, the longest first: the first that fits is shown. */
  help: string[];
}

export function Footer({ width, color, prompt, filterInput, message, help }: FooterProps) {
  if (prompt) {
    return (
      <Text wrap="truncate-end" bold {...(tint(color, 'yellow') ? { color: 'yellow' } : {})}>
        {clip(` ${prompt}`, width)}
      </Text>
    );
  }
  if (filterInput !== null && filterInput !== undefined) {
    return <Line>{filterPrompt(filterInput, width)}</Line>;
  }
  const keys = help.find((h) => h.length + 1 <= width) ?? help[help.length - 1] ?? '';
  if (message) {
    const text = ` ${message.text}`;
    const rest = width - text.length - 3;
    const shortKeys = help.find((h) => h.length <= rest);
    return (
      <Text wrap="truncate-end">
        <Text {...(tint(color, message.error ? 'red' : 'yellow') ? { color: message.error ? 'red' : 'yellow' } : {})} bold>
          {clip(text, width)}
        </Text>
        {shortKeys ? <Text dimColor>{`   ${shortKeys}`}</Text> : null}
      </Text>
    );
  }
  return <Line dim>{` ${keys}`}</Line>;
}
