// Draws the app's PNG icons (public/icons/) with no image library: a seedling on the accent
// colour, antialiased by 4×4 supersampling, written as an RGBA PNG with node:zlib.
// Run once after changing the drawing: node scripts/make-icons.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { crc32 } from './crc32.mjs';

const ACCENT = [0x1f, 0x6f, 0x5c];
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const c = Buffer.alloc(4);
  c.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, c]);
}
function png(size, pixel) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x, y);
      raw.set([r, g, b, a], y * (size * 4 + 1) + 1 + x * 4);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
// Shapes in unit coordinates (0..1): 0 = outside, 1 = background, 2 = white.
function shape(u, v, maskable) {
  const pad = maskable ? 0 : 0.06;
  const r = maskable ? 0 : 0.2;
  const cx = Math.min(Math.max(u, pad + r), 1 - pad - r);
  const cy = Math.min(Math.max(v, pad + r), 1 - pad - r);
  if (u < pad || u > 1 - pad || v < pad || v > 1 - pad || (u - cx) ** 2 + (v - cy) ** 2 > r * r + 1e-12) return 0;
  const s = maskable ? 0.8 : 1; // keep the drawing inside the maskable safe zone
  const x = (u - 0.5) / s + 0.5;
  const y = (v - 0.5) / s + 0.5;
  const stem = Math.abs(x - 0.5) < 0.035 && y > 0.42 && y < 0.78;
  const leaf = (px, py, ang) => {
    const dx = x - px, dy = y - py;
    const c = Math.cos(ang), sn = Math.sin(ang);
    const a = dx * c + dy * sn, b = -dx * sn + dy * c;
    return (a / 0.17) ** 2 + (b / 0.075) ** 2 < 1;
  };
  const soil = y > 0.74 && y < 0.8 && Math.abs(x - 0.5) < 0.24;
  return stem || soil || leaf(0.36, 0.38, 0.55) || leaf(0.64, 0.32, -0.6) ? 2 : 1;
}
function draw(size, maskable) {
  return png(size, (x, y) => {
    let bg = 0, white = 0;
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) {
      const k = shape((x + (i + 0.5) / 4) / size, (y + (j + 0.5) / 4) / size, maskable);
      if (k === 1) bg++;
      if (k === 2) white++;
    }
    const a = (bg + white) / 16;
    if (!a) return [0, 0, 0, 0];
    const w = white / (bg + white);
    return [...ACCENT.map((c) => Math.round(c + (255 - c) * w)), Math.round(a * 255)];
  });
}
mkdirSync('public/icons', { recursive: true });
for (const size of [192, 512]) {
  writeFileSync(`public/icons/icon-${size}.png`, draw(size, false));
  writeFileSync(`public/icons/maskable-${size}.png`, draw(size, true));
}
writeFileSync('public/icons/apple-touch-icon.png', draw(180, true));
console.log('icons written to public/icons/');
