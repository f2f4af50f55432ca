// What package.json promises: lazy activation, the key never in settings, the base URL
// protected from workspaces, and the extension running where the files are.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Commands, RUN_ACTION_TAGS, VIEW_ONLY_COMMANDS } from '../../src/vscode/commandIds';

const manifest = JSON.parse(readFileSync('package.json', 'utf8'));

describe('package.json', () => {
  it('activates after start-up at the earliest (never "*"), without the events VS Code generates itself', () => {
    assert.ok(!manifest.activationEvents.includes('*'));
    // onStartupFinished: unfinished runs are found even when generate-image/ is gitignored or
    // excluded from search (workspaceContains goes through the file search), and the
    // creatok.hasApiKey context key is set for the walkthrough and the palette.
    assert.ok(manifest.activationEvents.includes('onStartupFinished'));
    assert.deepEqual(manifest.activationEvents.filter((e: string) => e.startsWith('onLanguageModelTool:') || e.startsWith('onCommand:') || e.startsWith('onView:')), []);
  });
  it('is listed under AI and Chat, with a 256 px icon, and builds once when packaged', () => {
    assert.deepEqual(manifest.categories.slice(0, 2), ['AI', 'Chat']);
    const png = readFileSync(manifest.icon);
    assert.equal(png.readUInt32BE(16), 256, 'width');
    assert.equal(png.readUInt32BE(20), 256, 'height');
    assert.ok(!/esbuild/.test(manifest.scripts.package), 'vscode:prepublish builds; the package script does not build again');
    assert.match(manifest.scripts['vscode:prepublish'], /--production/);
  });
  it('has one version in package.json and the CHANGELOG (dated), a listing that links home, issues and the repository, and says it is free', () => {
    assert.match(manifest.version, /^\d+\.\d+\.\d+$/);
    const top = /^## (\S+) \((\d{4}-\d{2}-\d{2})\)$/m.exec(readFileSync('CHANGELOG.md', 'utf8'));
    assert.equal(top?.[1], manifest.version, 'the CHANGELOG\'s first entry is this version, dated');
    const repo = manifest.repository.url.replace(/\.git$/, '');
    assert.equal(manifest.homepage, `${repo}#readme`);
    assert.equal(manifest.bugs.url, `${repo}/issues`);
    assert.equal(manifest.pricing, 'Free');
    assert.match(manifest.galleryBanner.color, /^#[0-9a-f]{6}$/i);
    assert.match(manifest.scripts.package, /--no-rewrite-relative-links/, 'the README\'s examples are packaged as written');
  });
  it('orders its settings: the limits first, the base URL last and tagged advanced', () => {
    const properties = manifest.contributes.configuration.properties as Record<string, { order?: number; tags?: string[] }>;
    const byOrder = Object.entries(properties).sort((a, b) => (a[1].order ?? 1e9) - (b[1].order ?? 1e9)).map(([k]) => k);
    assert.ok(Object.values(properties).every((p) => typeof p.order === 'number'), 'every setting has an order');
    assert.deepEqual(byOrder.slice(0, 2), ['creatok.dailyCreditLimit', 'creatok.monthlyCreditLimit']);
    assert.equal(byOrder.at(-1), 'creatok.baseUrl');
    assert.deepEqual(properties['creatok.baseUrl']!.tags, ['advanced']);
  });
  it('gives every walkthrough step a picture of its own that exists, described in English and Chinese', () => {
    const nls = JSON.parse(readFileSync('package.nls.json', 'utf8')) as Record<string, string>;
    const zh = JSON.parse(readFileSync('package.nls.zh-cn.json', 'utf8')) as Record<string, string>;
    const steps = manifest.contributes.walkthroughs[0].steps as { id: string; media: { image: string; altText: string } }[];
    assert.ok(steps.some((s) => s.id === 'gallery'), 'a gallery step');
    const images = steps.map((s) => s.media.image);
    assert.equal(new Set(images).size, images.length, 'no picture serves two steps');
    for (const step of steps) {
      assert.ok(readFileSync(step.media.image).length > 0, step.media.image);
      const key = /^%(.+)%$/.exec(step.media.altText)?.[1];
      assert.ok(key && nls[key] && zh[key] && nls[key]!.length > 20, `${step.id}: a description in both languages`);
    }
  });
  it('describes its tools to models in English, and to people in their language; the tools need a folder', () => {
    for (const tool of manifest.contributes.languageModelTools) {
      assert.ok(!tool.modelDescription.startsWith('%') && /^[\x20-\x7e]+$/.test(tool.modelDescription), tool.name);
      for (const [name, property] of Object.entries(tool.inputSchema.properties as Record<string, { description: string }>)) {
        assert.ok(!property.description.startsWith('%'), `${tool.name}.${name}`);
      }
      assert.match(tool.displayName, /^%.+%$/);
      assert.match(tool.userDescription, /^%.+%$/);
      assert.equal(tool.when, 'workspaceFolderCount > 0');
    }
  });
  it('uses creatok.hasApiKey for the walkthrough key step and to hide Clear API Key, and offers Open Folder with no folder', () => {
    const step = manifest.contributes.walkthroughs[0].steps.find((s: { id: string }) => s.id === 'setApiKey');
    assert.deepEqual(step.completionEvents, ['onContext:creatok.hasApiKey']);
    assert.ok(manifest.contributes.menus.commandPalette.some((m: { command: string; when: string }) => m.command === 'creatok.clearApiKey' && m.when === 'creatok.hasApiKey'));
    const noFolder = manifest.contributes.viewsWelcome.find((w: { when?: string }) => w.when === 'workbenchState == empty');
    assert.ok(noFolder && /workbench\.action\.files\.openFolder/.test(JSON.parse(readFileSync('package.nls.json', 'utf8'))[noFolder.contents.slice(1, -1)]));
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
  it('offers a Tasks view action on the rows whose tag its "which run?" question asks for', () => {
    const menus = manifest.contributes.menus['view/item/context'] as { command: string; when: string }[];
    for (const [command, tag] of Object.entries(RUN_ACTION_TAGS)) {
      const whens = menus.filter((m) => m.command === command).map((m) => m.when);
      assert.ok(whens.length > 0, `${command} is on the rows' menus`);
      for (const when of whens) assert.match(when, new RegExp(`viewItem =~ /\\\\b${tag}\\\\b/`), `${command}: ${when}`);
    }
  });
  it('asks for no VS Code newer than the test VS Code (1.139), with matching @types/vscode', () => {
    const engine = manifest.engines.vscode.replace('^', '');
    assert.ok(Number(engine.split('.')[1]) <= 139);
    assert.equal(manifest.devDependencies['@types/vscode'], engine);
  });
});
