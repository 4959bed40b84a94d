// ESLint flat config: typescript-eslint strict type-checked rules, no console in the library, and
// the layer rule of DESIGN.md ("a layer imports only layers below it").
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import prettier from 'eslint-config-prettier'
import globals from 'globals'

/** Layers bottom to top (DESIGN.md "Layers"); each may import only the ones listed before it. */
const LAYERS = [
  'crypto',
  'wire',
  'x3dh',
  'ratchet',
  'store',
  'protocol',
  'transport',
  'messenger',
  'cli',
]
/** Layers that are siblings rather than stacked: neither may import the other. */
const ALLOWED = {
  crypto: [],
  wire: ['crypto'],
  x3dh: ['crypto', 'wire'],
  ratchet: ['crypto', 'wire'],
  store: ['crypto', 'wire'],
  protocol: ['crypto', 'wire', 'x3dh', 'ratchet', 'store'],
  transport: ['crypto', 'wire', 'store'],
  messenger: ['crypto', 'wire', 'x3dh', 'ratchet', 'store', 'protocol', 'transport'],
  cli: ['crypto', 'wire', 'x3dh', 'ratchet', 'store', 'protocol', 'transport', 'messenger'],
}

const layerRules = LAYERS.map((layer) => {
  const forbidden = LAYERS.filter((l) => l !== layer && !ALLOWED[layer].includes(l))
  return {
    files: [`src/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...forbidden.map((l) => ({
              group: [`**/${l}/**`, `**/${l}/index.ts`, `../${l}`],
              message: `layer '${layer}' may not import '${l}' (DESIGN.md layer table)`,
            })),
            {
              group: ['../../index.ts', '../index.ts'],
              message: 'a layer may not import the package root',
            },
          ],
        },
      ],
    },
  }
})

export default tseslint.config(
  {
    ignores: ['.tmp/', 'node_modules/', 'dist/', 'src/wire/gen/', 'eslint.config.js', 'web/dist/'],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unified-signatures': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  { files: ['src/**/*.ts'], rules: { 'no-console': 'error' } },
  ...layerRules,
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] },
          ],
        },
      ],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'bin/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: globals.node, parserOptions: { projectService: false } },
  },
  prettier,
)
