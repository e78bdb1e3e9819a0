/** Hands a file to the browser's (or Electron's) download handling. */
export function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // The download has taken its copy once click() returns; a tick later the URL can go.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function downloadText(fileName: string, mime: string, content: string): void {
  downloadBlob(fileName, new Blob([content], { type: mime }));
}
