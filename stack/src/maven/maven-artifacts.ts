import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** MavenArtifacts is where the resolved JVM side of the stack lives. */
export interface MavenArtifacts {
  /** Folder with every runtime jar (Kafka, mongo-java-server, Log4j 2). */
  readonly libDir: string;
  /** The compiled Mongo launcher jar. */
  readonly launcherJar: string;
  /** Java class path covering both. */
  readonly classPath: string;
}

/** mavenArtifacts returns the artifact locations for a stack folder (pure; nothing is checked). */
export function mavenArtifacts(stackDir: string): MavenArtifacts {
  const libDir = path.join(stackDir, 'maven', 'lib');
  const launcherJar = path.join(stackDir, 'maven', 'target', 'driftline-stack-0.1.0.jar');
  return { libDir, launcherJar, classPath: `${launcherJar}${path.delimiter}${path.join(libDir, '*')}` };
}

async function inputsFingerprint(repoDir: string): Promise<string> {
  const hash = createHash('sha256');
  const files = [path.join(repoDir, 'stack', 'pom.xml')];
  const javaRoot = path.join(repoDir, 'stack', 'java', 'src', 'main', 'java');
  const entries = await readdir(javaRoot, { recursive: true });
  for (const entry of entries.filter((name) => name.endsWith('.java')).sort()) {
    files.push(path.join(javaRoot, entry));
  }
  for (const file of files) {
    hash
      .update(file.slice(repoDir.length))
      .update('\0')
      .update(await readFile(file))
      .update('\0');
  }
  return hash.digest('hex');
}

/** EnsureResult says whether Maven had to run. */
export type EnsureResult = 'cached' | 'resolved';

/**
 * ensureMavenArtifacts makes the jars available: when the stamp (a hash of stack/pom.xml and the
 * launcher's sources) matches the last successful build, nothing runs — a second `up` neither
 * starts Maven nor touches the network. Otherwise it runs `mvn -q -B package`, which downloads into
 * ~/.m2 (the cache), compiles the launcher and copies the runtime jars into a clean lib folder.
 * Throws with Maven's output when resolution fails.
 */
export async function ensureMavenArtifacts(repoDir: string, stackDir: string): Promise<EnsureResult> {
  const artifacts = mavenArtifacts(stackDir);
  const stampFile = path.join(stackDir, 'maven', 'stamp');
  const fingerprint = await inputsFingerprint(repoDir);
  const stamp = await readFile(stampFile, 'utf8').catch(() => '');
  const present = await access(artifacts.launcherJar).then(
    () => true,
    () => false,
  );
  if (present && stamp.trim() === fingerprint) return 'cached';

  await rm(artifacts.libDir, { recursive: true, force: true });
  await mkdir(path.dirname(stampFile), { recursive: true });
  const mvn = process.env['MVN'] ?? 'mvn';
  try {
    // -Dstack.dir sends the build output and the copied jars into THIS stack folder (see the pom).
    const args = [
      '-q',
      '-B',
      `-Dstack.dir=${path.join(stackDir, 'maven')}`,
      '-f',
      path.join(repoDir, 'stack', 'pom.xml'),
      'package',
    ];
    await execFileAsync(mvn, args, {
      cwd: repoDir,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`Maven (\`${mvn}\`) is not on PATH: install Maven 3 or set MVN to its path`, {
        cause: error,
      });
    }
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `Maven could not resolve the stack's artifacts (is Maven Central reachable?):\n${stdout ?? ''}${stderr ?? ''}`,
      {
        cause: error,
      },
    );
  }
  await writeFile(stampFile, `${fingerprint}\n`);
  return 'resolved';
}
