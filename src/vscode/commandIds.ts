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
} as const;

/** Commands the palette does not list (they act on a Tasks view item). */
export const VIEW_ONLY_COMMANDS: readonly string[] = Object.entries(Commands)
  .filter(([name]) => name.startsWith('tasks') && name !== 'tasksFocus' && name !== 'tasksRefresh')
  .map(([, id]) => id);
