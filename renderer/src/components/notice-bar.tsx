import { useNoticesStore } from '../state/notices-store';

export function NoticeBar() {
  const notices = useNoticesStore((s) => s.notices);
  const dismiss = useNoticesStore((s) => s.dismiss);
  if (notices.length === 0) return null;
  return (
    <div className="notices" role="region" aria-label="Messages">
      {notices.map((notice) => (
        <div key={notice.at} className={`message ${notice.level}`} role={notice.level === 'error' ? 'alert' : 'status'}>
          <span>{notice.message}</span>
          <button className="ghost small" onClick={() => dismiss(notice.at)} aria-label="Dismiss">
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
