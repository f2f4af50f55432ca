// The actions on a gallery tile (also its context menu's commands, `creatok.gallery.<action>`).
export const TILE_ACTIONS = ['open', 'insert', 'copyMarkdown', 'saveAs', 'vary', 'useAsReference', 'reveal', 'delete'] as const;
export type TileAction = (typeof TILE_ACTIONS)[number];
/** What changes the workspace or sends anything: not offered in Restricted Mode. */
export const WRITING_ACTIONS: readonly TileAction[] = ['insert', 'copyMarkdown', 'saveAs', 'vary', 'useAsReference', 'delete'];
