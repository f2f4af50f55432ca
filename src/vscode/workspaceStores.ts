// The one owner of the workspace's artifact stores: one ArtifactStore per local workspace folder,
// kept while the folder is open and replaced when the folders change. The run index, the Tasks
// view, Generate, Resume and the spend all take their stores from here.
import * as vscode from 'vscode';
import { ArtifactStore } from '../core/runs/store';
import { Disposable } from './disposable';

export class WorkspaceStores extends Disposable {
  private stores: ArtifactStore[] = [];
  private readonly changed = this._register(new vscode.EventEmitter<readonly ArtifactStore[]>());
  /** Fires with the new list after the workspace folders changed. */
  readonly onDidChange = this.changed.event;

  constructor() {
    super();
    this.stores = this.fromFolders();
    this._register(
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        this.stores = this.fromFolders();
        this.changed.fire(this.stores);
      }),
    );
  }

  /** Every local folder's store. */
  get list(): readonly ArtifactStore[] {
    return this.stores;
  }

  /** Where new runs go: the first local folder's store, if any. */
  primary(): ArtifactStore | undefined {
    return this.stores[0];
  }

  private fromFolders(): ArtifactStore[] {
    const previous = new Map(this.stores.map((s) => [s.workspaceFolder, s]));
    return (vscode.workspace.workspaceFolders ?? [])
      .filter((f) => f.uri.scheme === 'file')
      .map((f) => previous.get(f.uri.fsPath) ?? new ArtifactStore(f.uri.fsPath));
  }
}
