import path from 'node:path';

/** repoDir is the repository root, found from this file's location (stack/src/ → ../..). */
export const repoDir: string = path.resolve(import.meta.dirname, '..', '..');
