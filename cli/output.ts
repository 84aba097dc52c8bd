import { styleText } from "node:util";
import type { LogLine } from "./api-types.ts";

type Style = Parameters<typeof styleText>[0];

/** Colour only on a terminal that wants it (`styleText` honours NO_COLOR, FORCE_COLOR and TTY). */
export function paint(style: Style, text: string, stream: NodeJS.WriteStream = process.stdout): string {
  return styleText(style, text, { stream });
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function print(text: string): void {
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

/**
 * Columns padded to their widest cell; the last column is never padded, so long URLs do not wrap lines. A cell
 * is one line: its tabs and newlines show as spaces, so no cell can draw a row of its own.
 */
export function table(headers: string[], cells: string[][]): string {
  const rows = cells.map((row) => row.map((cell) => cell.replace(/[\t\n]/g, " ")));
  const widths = headers.map((header, column) =>
    Math.max(visibleLength(header), ...rows.map((row) => visibleLength(row[column] ?? ""))),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === cells.length - 1 ? cell : cell + " ".repeat(widths[column]! - visibleLength(cell)),
      )
      .join("  ")
      .trimEnd();
  return [line(headers.map((header) => paint("bold", header))), ...rows.map(line)].join("\n");
}

/** `label  value` lines, labels aligned. */
export function fields(pairs: Array<[string, string]>): string {
  const width = Math.max(...pairs.map(([label]) => label.length));
  return pairs.map(([label, value]) => `${paint("dim", label.padEnd(width))}  ${value}`).join("\n");
}

export function statusText(status: string): string {
  const style: Style =
    status === "active" || status === "succeeded"
      ? "green"
      : status === "failed" || status === "interrupted"
        ? "red"
        : status === "suspended" || status === "deleting" || status === "deleted"
          ? "yellow"
          : "cyan";
  return paint(style, status);
}

/** `12:04:31  info  database  schema t_acme ready` */
export function logLineText(line: LogLine, stream: NodeJS.WriteStream = process.stdout): string {
  const time = clock(line.at);
  const level =
    line.level === "error"
      ? paint("red", "error", stream)
      : line.level === "warn"
        ? paint("yellow", "warn ", stream)
        : paint("dim", "info ", stream);
  const step = line.step ? `${paint("cyan", line.step, stream)}  ` : "";
  return `${paint("dim", time, stream)}  ${level}  ${step}${line.message}`;
}

export function clock(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().slice(11, 19);
}

/** `2025-03-01 12:04` in UTC: short enough for a table, unambiguous across machines. */
export function when(iso: string | null | undefined): string {
  if (!iso) return "-";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace("T", " ")}`;
}

export function duration(startedAt: string | null, finishedAt: string | null): string {
  if (!startedAt) return "-";
  const ms = (finishedAt ? Date.parse(finishedAt) : Date.now()) - Date.parse(startedAt);
  if (!Number.isFinite(ms) || ms < 0) return "-";
  return ms < 1000 ? `${ms}ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 60_000)}m`;
}

// Escape sequences take no room on screen.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ANSI = /\u001b\[[0-9;]*m/g;
function visibleLength(text: string): number {
  return text.replace(ANSI, "").length;
}
