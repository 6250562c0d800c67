/**
 * StepProgress prints start-up steps for a person: `… step` while it runs (on a terminal, the line
 * is then replaced) and `✓ step (1.2 s)` or `✗ step: reason` when it ends. Off a terminal only the
 * final lines are printed, so a log file reads as a clean list.
 */
export class StepProgress {
  readonly #out: NodeJS.WriteStream;
  readonly #tty: boolean;

  constructor(out: NodeJS.WriteStream = process.stdout) {
    this.#out = out;
    this.#tty = out.isTTY === true;
  }

  /** step runs `work` as the step `title`, prints its outcome, and returns its result or rethrows. */
  async step<T>(title: string, work: () => Promise<T>, detail?: (result: T) => string): Promise<T> {
    const started = Date.now();
    if (this.#tty) this.#out.write(`  … ${title}`);
    try {
      const result = await work();
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const extra = detail === undefined ? '' : ` — ${detail(result)}`;
      this.#line(`  ✓ ${title}${extra} (${seconds} s)`);
      return result;
    } catch (error) {
      this.#line(`  ✗ ${title}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      throw error;
    }
  }

  /** note prints an informational line. */
  note(text: string): void {
    this.#line(`    ${text}`);
  }

  #line(text: string): void {
    if (this.#tty) this.#out.write('\r\x1b[2K');
    this.#out.write(`${text}\n`);
  }
}
