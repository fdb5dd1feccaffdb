import type { ContinueCard } from '../view-model.ts';

export function ContinueRow(props: { cards: readonly ContinueCard[]; onOpen: (card: ContinueCard) => void }) {
  return (
    <section className="section" data-testid="continue-watching">
      <h3>Continue watching</h3>
      {props.cards.length === 0 ? (
        <p className="empty">Play a video on either device and it shows up here on both.</p>
      ) : (
        <div className="continue-row">
          {props.cards.map((card) => (
            <button key={card.videoId} className="continue-card" onClick={() => props.onOpen(card)} data-testid={`continue-${card.videoId}`} data-percent={card.percent}>
              <span className="thumb" style={{ background: `linear-gradient(135deg, hsl(${card.hue} 70% 30%), hsl(${(card.hue + 40) % 360} 65% 48%))` }}>
                <span className="thumb-time">{card.positionLabel}</span>
                <span className="thumb-bar">
                  <span style={{ width: `${card.percent}%` }} />
                </span>
              </span>
              <span className="continue-title">{card.title}</span>
              <span className="continue-meta">
                {card.remaining} · on {card.from}
              </span>
            </button>
          ))}
        </div>
      )}
    </section>
  );
}
