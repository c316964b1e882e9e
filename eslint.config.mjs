import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'dist',
      '.data',
      '**/__generated__/**',
      'jest.config.js',
      'test/support/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false } },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Configuration is parsed once, in env.ts files; everything else receives typed config.
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration in env.ts only.' },
      ],
    },
  },
  {
    // MikroORM runs `em.getConnection().execute()` on a connection of its own, outside any
    // transaction `em` is in: inside one, it waits for a second connection while holding the
    // first, and enough of those at once take the whole pool and wait on each other.
    // `em.execute()` runs in em's transaction when it has one. Only the kit's database plumbing
    // (health checks, migrations, replica reads) chooses its connection itself.
    files: ['subgraphs/**/*.ts'],
    ignores: ['subgraphs/kit/orm.ts', 'subgraphs/kit/reads.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.property.name='execute'][callee.object.callee.property.name='getConnection']",
          message: "Use em.execute(), which runs in em's transaction; see eslint.config.mjs.",
        },
      ],
    },
  },
  {
    files: ['**/env.ts', 'test/**/*.ts', 'bench/**/*.ts', 'schema/*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // CommonJS tool configuration (.dependency-cruiser.cjs).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable' } },
  },
  {
    // Tests read loosely typed JSON responses; asserting on them is the type check.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
