// Where a module is in its life when a stack runs its code: the loader calls that enter its init and exit functions (data).

export interface ModulePhaseRow {
  phase: 'init' | 'exit';
  /** Functions of the module loader that call the module's own function (base names). */
  entries: readonly string[];
}

export const MODULE_PHASES: readonly ModulePhaseRow[] = [
  { phase: 'init', entries: ['do_one_initcall', 'do_init_module'] },
  { phase: 'exit', entries: ['__do_sys_delete_module', '__se_sys_delete_module', '__x64_sys_delete_module', '__arm64_sys_delete_module', '__ia32_sys_delete_module', 'sys_delete_module', 'SyS_delete_module', 'delete_module'] },
];
