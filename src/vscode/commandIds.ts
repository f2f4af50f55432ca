// Every command id of the extension, in one place (package.json declares the same ids; a unit
// test keeps the two in step).
export const Commands = {
  generateImage: 'creatok.generateImage',
  resumeTask: 'creatok.resumeTask',
  useAsReference: 'creatok.useAsReference',
  setApiKey: 'creatok.setApiKey',
  clearApiKey: 'creatok.clearApiKey',
  showLog: 'creatok.showLog',
  tasksFocus: 'creatok.tasks.focus',
  tasksRefresh: 'creatok.tasks.refresh',
  tasksShowMore: 'creatok.tasks.showMore',
  tasksResume: 'creatok.tasks.resume',
  tasksCheckOnce: 'creatok.tasks.checkOnce',
  tasksStopWatching: 'creatok.tasks.stopWatching',
  tasksOpenResult: 'creatok.tasks.openResult',
  tasksOpenImages: 'creatok.tasks.openImages',
  tasksCopyUrls: 'creatok.tasks.copyUrls',
  tasksCopyTaskId: 'creatok.tasks.copyTaskId',
  tasksReveal: 'creatok.tasks.reveal',
  tasksRetryDownload: 'creatok.tasks.retryDownload',
  tasksRetrySave: 'creatok.tasks.retrySave',
  tasksGenerateAgain: 'creatok.tasks.generateAgain',
  tasksInsert: 'creatok.tasks.insert',
  tasksCopyMarkdownLink: 'creatok.tasks.copyMarkdownLink',
  tasksSaveImageAs: 'creatok.tasks.saveImageAs',
  tasksUseAsReference: 'creatok.tasks.useAsReference',
  insertImage: 'creatok.insertImage',
  generateFromSelection: 'creatok.generateFromSelection',
  showSpending: 'creatok.showSpending',
  spendingExportCsv: 'creatok.spending.exportCsv',
  spendingRefresh: 'creatok.spending.refresh',
  generateMissingImage: 'creatok.generateMissingImage',
  generateMissingImages: 'creatok.generateMissingImages',
  openGallery: 'creatok.openGallery',
  galleryOpen: 'creatok.gallery.open',
  galleryInsert: 'creatok.gallery.insert',
  galleryCopyMarkdown: 'creatok.gallery.copyMarkdown',
  gallerySaveAs: 'creatok.gallery.saveAs',
  galleryVary: 'creatok.gallery.vary',
  galleryUseAsReference: 'creatok.gallery.useAsReference',
  galleryReveal: 'creatok.gallery.reveal',
  galleryDelete: 'creatok.gallery.delete',
} as const;

/** Commands the palette does not list (they act on a Tasks view item or a gallery tile). */
export const VIEW_ONLY_COMMANDS: readonly string[] = Object.entries(Commands)
  .filter(([name]) => (name.startsWith('tasks') && name !== 'tasksFocus' && name !== 'tasksRefresh') || (name.startsWith('gallery') && name !== 'openGallery'))
  .map(([, id]) => id);

/**
 * The tag (runStatus.runTags) a Tasks view row carries when its menus offer the action: the
 * manifest's `viewItem =~ /\btag\b/` clauses, and the runs offered when the action comes without
 * its row (a unit test keeps the two in step).
 */
export const RUN_ACTION_TAGS = {
  [Commands.tasksResume]: 'resumable',
  [Commands.tasksCheckOnce]: 'resumable',
  [Commands.tasksStopWatching]: 'watching',
  [Commands.tasksOpenResult]: 'hasResult',
  [Commands.tasksOpenImages]: 'hasImages',
  [Commands.tasksCopyUrls]: 'hasImages',
  [Commands.tasksCopyTaskId]: 'hasTask',
  [Commands.tasksReveal]: 'run',
  [Commands.tasksRetryDownload]: 'downloadIncomplete',
  [Commands.tasksRetrySave]: 'unsaved',
  [Commands.tasksGenerateAgain]: 'hasPrompt',
} as const satisfies Record<string, string>;
