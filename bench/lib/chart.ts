// A small hand-made SVG bar chart: each figure as a ratio to the reference (nginx), with the
// target marked. No chart library.

export interface Bar {
  readonly group: string
  readonly label: string
  readonly ratio: number | undefined
  readonly target?: number
  readonly muted?: boolean
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

export function barChart (title: string, subtitle: string, bars: readonly Bar[], footer: readonly string[]): string {
  const left = 250
  const width = 760
  const plot = width - left - 90
  const max = Math.max(1.2, ...bars.map((b) => (b.ratio ?? 0) * 1.05))
  const x = (r: number): number => left + (r / max) * plot
  const rowH = 26
  const top = 64
  const out: string[] = []
  let y = top
  let lastGroup = ''
  const rows: string[] = []
  for (const b of bars) {
    if (b.group !== lastGroup) {
      rows.push(`<text x="12" y="${y + 14}" class="g">${esc(b.group)}</text>`)
      y += 20
      lastGroup = b.group
    }
    const r = b.ratio
    const pass = r !== undefined && (b.target === undefined || r >= b.target)
    const fill = b.muted === true ? '#9aa3ad' : pass ? '#2f7ed8' : '#e0702f'
    rows.push(`<text x="${left - 8}" y="${y + 15}" text-anchor="end">${esc(b.label)}</text>`)
    if (r !== undefined) {
      rows.push(`<rect x="${left}" y="${y + 3}" width="${(x(r) - left).toFixed(1)}" height="${rowH - 8}" fill="${fill}" rx="2"/>`)
      rows.push(`<text x="${(x(r) + 6).toFixed(1)}" y="${y + 15}">${r.toFixed(2)}×</text>`)
    } else {
      rows.push(`<text x="${left + 6}" y="${y + 15}" class="m">not measured</text>`)
    }
    if (b.target !== undefined) {
      const tx = x(b.target).toFixed(1)
      rows.push(`<line x1="${tx}" x2="${tx}" y1="${y + 1}" y2="${y + rowH - 3}" stroke="#c0392b" stroke-width="2" stroke-dasharray="3,2"/>`)
    }
    y += rowH
  }
  const height = y + 22 + footer.length * 16
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="-apple-system,Segoe UI,Helvetica,Arial,sans-serif" font-size="13">`)
  out.push('<style>.g{font-weight:600}.m{fill:#888}.s{fill:#555;font-size:12px}text{fill:#222}</style>')
  out.push(`<rect width="${width}" height="${height}" fill="#fff"/>`)
  out.push(`<text x="12" y="24" font-size="16" font-weight="600">${esc(title)}</text>`)
  out.push(`<text x="12" y="44" class="s">${esc(subtitle)}</text>`)
  const one = x(1).toFixed(1)
  out.push(`<line x1="${one}" x2="${one}" y1="${top - 4}" y2="${y}" stroke="#444" stroke-width="1"/>`)
  out.push(`<text x="${one}" y="${top - 8}" text-anchor="middle" class="s">nginx = 1.0</text>`)
  out.push(...rows)
  let fy = y + 20
  for (const line of footer) {
    out.push(`<text x="12" y="${fy}" class="s">${esc(line)}</text>`)
    fy += 16
  }
  out.push('</svg>')
  return out.join('\n') + '\n'
}
