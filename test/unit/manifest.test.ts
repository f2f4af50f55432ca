// What package.json promises: lazy activation, the key never in settings, the base URL
// protected from workspaces, and the extension running where the files are.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Commands, VIEW_ONLY_COMMANDS } from '../../src/vscode/commandIds';

const manifest = JSON.parse(readFileSync('package.json', 'utf8'));

describe('package.json', () => {
  it('activates lazily (no "*")', () => {
    assert.ok(!manifest.activationEvents.includes('*'));
    assert.ok(!manifest.activationEvents.includes('onStartupFinished'));
  });
  it('keeps creatok.baseUrl application-scoped and restricted in untrusted workspaces', () => {
    const baseUrl = manifest.contributes.configuration.properties['creatok.baseUrl'];
    assert.equal(baseUrl.scope, 'application');
    assert.equal(baseUrl.default, 'https://www.creatok.ai');
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations, ['creatok.baseUrl']);
  });
  it('has no setting that could hold the API key', () => {
    const names = Object.keys(manifest.contributes.configuration.properties);
    assert.ok(names.every((n) => !/key|token|secret/i.test(n)), names.join(', '));
  });
  it('runs on the workspace side', () => assert.deepEqual(manifest.extensionKind, ['workspace']));
  it('puts every command in the CreatOK category', () => {
    const ids = manifest.contributes.commands.map((c: { command: string; category: string }) => (assert.equal(c.category, 'CreatOK'), c.command));
    for (const id of ['creatok.generateImage', 'creatok.setApiKey', 'creatok.clearApiKey']) assert.ok(ids.includes(id), id);
  });
  it('declares exactly the command ids the code registers (one module of ids), and hides the view-only ones from the palette', () => {
    const declared = manifest.contributes.commands.map((c: { command: string }) => c.command).sort();
    const inCode = Object.values(Commands).filter((id) => id !== Commands.tasksFocus).sort();
    assert.deepEqual(declared, inCode);
    const hidden = manifest.contributes.menus.commandPalette.filter((m: { when: string }) => m.when === 'false').map((m: { command: string }) => m.command);
    for (const id of VIEW_ONLY_COMMANDS) assert.ok(hidden.includes(id), id);
  });
  it('asks for no VS Code newer than the test VS Code (1.139), with matching @types/vscode', () => {
    const engine = manifest.engines.vscode.replace('^', '');
    assert.ok(Number(engine.split('.')[1]) <= 139);
    assert.equal(manifest.devDependencies['@types/vscode'], engine);
  });
});
