;; A Kaizen WASM metric (see evaluator/src/wasm_metric.rs for the ABI) whose score never
;; returns: the evaluator must stop it with OutOfFuel.
(module
  (memory (export "memory") 1)
  (global $next (mut i32) (i32.const 0))
  (func (export "alloc") (param $len i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (global.get $next))
    (global.set $next (i32.add (global.get $next) (local.get $len)))
    (block $ok
      (br_if $ok (i32.le_u (global.get $next)
                           (i32.mul (memory.size) (i32.const 65536))))
      (drop (memory.grow (i32.add (i32.shr_u (local.get $len) (i32.const 16)) (i32.const 1)))))
    (local.get $ptr))
  (func (export "score") (param i32 i32 i32 i32) (result i64)
    (loop $forever (br $forever))
    (i64.const 0)))
