import { useEffect, useState } from 'react';

/** Width / height of an element, kept current with a ResizeObserver. */
export function useAspectRatio(element: HTMLElement | null, fallback = 16 / 9): number {
  const [ratio, setRatio] = useState(fallback);
  useEffect(() => {
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => {
      const box = entry?.contentRect;
      if (box && box.width > 0 && box.height > 0) setRatio(box.width / box.height);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [element]);
  return ratio;
}
