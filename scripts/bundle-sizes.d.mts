export interface BundlePart {
  bytes: number;
  files: string[];
}
export interface BundleSizes {
  startup: BundlePart;
  onFirstUse: BundlePart;
  files: string[];
}
export function bundleSizes(metafile: { outputs: Record<string, { bytes: number; entryPoint?: string; imports: { path: string; kind: string }[] }> }): BundleSizes;
export function bundleSizesText(sizes: BundleSizes): string;
