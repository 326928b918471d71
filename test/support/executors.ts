import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Executors this checkout can run: the internal one needs the native binding built
 * (build/Release). Set SR_TEST_REQUIRE_INTERNAL=1 (CI does) to fail instead of skipping.
 */
export function availableExecutors(): string[] {
  const built = existsSync(fileURLToPath(new URL('../../build/Release/slurm_binding.node', import.meta.url)));
  if (!built && process.env.SR_TEST_REQUIRE_INTERNAL) throw new Error('the native binding is not built: run npm run build:native');
  return built ? ['external', 'internal'] : ['external'];
}
