// Lint configuration: typescript-eslint's recommended rules for the TypeScript sources,
// the core recommended rules for the plain JavaScript scripts.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'reports/**', '**/.stryker-tmp/**', 'node_modules/**', 'coverage/**', '.kafka/**', '.cache/**', 'docs/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // Generated protocol code is checked by `npm run gen -- --check`, not by style rules.
    files: ['protocol/messages/**'],
    rules: { '@typescript-eslint/no-unused-vars': 'off' },
  },
);
