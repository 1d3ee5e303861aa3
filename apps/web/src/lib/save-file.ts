/**
 * Hands `text` to the browser as a file download named `name`, without a round trip: a Blob, a
 * link to it clicked once, then the Blob's address released.
 *
 * @example
 * saveFile('tessera-export.json', JSON.stringify(data), 'application/json');
 */
export function saveFile(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // After the click has started the download: revoking at once may cancel it in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
