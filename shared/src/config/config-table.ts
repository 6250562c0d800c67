import type { ConfigSchema } from './define-config.ts';
import type { VariableDescription } from './variable.ts';

/** configTableMarkers delimit the generated section in the README. */
export const configTableMarkers = {
  start: '<!-- config-table:start -->',
  end: '<!-- config-table:end -->',
} as const;

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function typeOf(variable: VariableDescription): string {
  return variable.type === 'enum' && variable.values !== undefined
    ? variable.values.join(' \\| ')
    : variable.type;
}

function defaultOf(variable: VariableDescription): string {
  if (variable.required) return '**required**';
  return variable.defaultValue === '' ? '(empty)' : `\`${cell(variable.defaultValue ?? '')}\``;
}

/**
 * renderConfigTable renders one service's variables as a Markdown table (variable, type,
 * default, description, secret), in declaration order, under a `### <service>` heading.
 */
export function renderConfigTable(service: string, schema: ConfigSchema): string {
  const rows = schema.variables.map(
    (variable) =>
      `| \`${variable.name}\` | ${typeOf(variable)} | ${defaultOf(variable)} | ${cell(variable.description)} | ${variable.secret ? 'yes' : ''} |`,
  );
  return [
    `### ${service}`,
    '',
    '| Variable | Type | Default | Description | Secret |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/**
 * replaceConfigSection returns `document` with the text between the config-table markers
 * replaced by `section`. Throws a RangeError when the markers are missing or out of order.
 */
export function replaceConfigSection(document: string, section: string): string {
  const start = document.indexOf(configTableMarkers.start);
  const end = document.indexOf(configTableMarkers.end);
  if (start < 0 || end < start) {
    throw new RangeError(`document needs ${configTableMarkers.start} followed by ${configTableMarkers.end}`);
  }
  const before = document.slice(0, start + configTableMarkers.start.length);
  return `${before}\n\n${section.trim()}\n\n${document.slice(end)}`;
}
