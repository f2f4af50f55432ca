// A second process for the unit tests: writes one run record `count` times through the store,
// each write adding its own field (`<prefix>_<i>`). Used to show that two processes writing the
// same record lose nothing. Args: workspaceFolder runId prefix count.
import { ArtifactStore } from '../../../src/core/runs/store';
import type { RunRecord } from '../../../src/core/runs/record';

async function main(): Promise<void> {
  const [folder, runId, prefix, countText] = process.argv.slice(2);
  const store = new ArtifactStore(folder!);
  const count = Number(countText);
  for (let i = 0; i < count; i++) {
    const read = await store.read(runId!);
    if (!read.ok) throw new Error(`${prefix}: ${read.message}`);
    const record = { ...read.record, [`${prefix}_${i}`]: i, updated_at: new Date().toISOString() } as RunRecord;
    await store.write(record);
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error.stack ?? error.message);
    process.exit(1);
  },
);
