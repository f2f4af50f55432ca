// What the run service does with a succeeded run's images: saved into its run folder, then
// copied into creatok.imagesFolder when the setting names one (a failure there is said, and
// the run keeps its saved images).
import * as vscode from 'vscode';
import type { Logger } from '../core/log';
import { copyToImagesFolder } from '../core/runs/copies';
import { saveRunImages } from '../core/runs/images';
import type { RunRecord } from '../core/runs/record';
import type { ArtifactStore } from '../core/runs/store';

export function imageSaver(imagesFolder: () => string, logger: Logger): (record: RunRecord, store: ArtifactStore) => Promise<RunRecord> {
  return async (record, store) => {
    const saved = await saveRunImages(record, store);
    const folder = imagesFolder();
    if (!folder || !saved.local_images?.some(Boolean)) return saved;
    try {
      return await copyToImagesFolder(saved, store, folder);
    } catch (error) {
      logger.warn(`images folder: ${(error as Error).message}`);
      void vscode.window.showWarningMessage(vscode.l10n.t('The images were not copied to creatok.imagesFolder: {0}', (error as Error).message));
      return saved;
    }
  };
}
