import { fileURLToPath } from 'node:url';

/** repoRoot is the absolute path of the repository (two levels above this file). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');
