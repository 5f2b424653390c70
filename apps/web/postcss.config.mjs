// Tailwind CSS 4 runs as a PostCSS plugin inside Next's CSS pipeline (no CLI, nothing fetched at build time).
const config = {
  plugins: { "@tailwindcss/postcss": {} },
};

export default config;
