/** Ctrl-C cancels the flow (aborting every request and closing the listener) instead of killing it mid-write. */
export function cancelOnSignal(cancel: () => void): () => void {
  const onSignal = () => cancel();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
