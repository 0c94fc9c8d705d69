;; Hot-loop kernels of the random-direction estimators (WebAssembly SIMD, built by wasm/build.mjs).
;; The bit-for-bit reference and fallback is src/core/kernels/reference.ts: change both together.
;;
;; Memory layout of the first two pages (bytes), written by src/core/kernels/wasm.ts:
;;   0      KN    u32[4096]  ziggurat acceptance bounds
;;   16384  WNS   f32[4096]  ziggurat widths × scale (rewritten per fill call)
;;   32768  WN    f64[4096]  ziggurat widths (slow path)
;;   65536  FN    f64[4096]  exp(−x²/2) at the layer edges (slow path)
;;   98304  STATE u32[32]    8 xoshiro128** lanes: word w of lane j at 98304 + 32·w + 4·j
;;   98432  SLOW  u32[4]     the xoshiro128** stream of the slow path
;;   98448  SCR   f32[8]     a partial last group
;;   98560  LOG   80 B each  groups with a missed lane: dst, count, pad, hz[8], ok-mask[8] (200, to 114560)
;;   114688 LIST  16 B each  accumulateMany's terms: noise pointer, pad, weight f64 (up to 1024)
;; Buffers handed to callers start at 131072.
(module
  (import "env" "memory" (memory 2))
  (import "env" "exp" (func $exp (param f64) (result f64)))
  (import "env" "log" (func $log (param f64) (result f64)))

  ;; Next word of the slow-path stream (scalar xoshiro128** on the state in memory).
  (func $next (result i32)
    (local $s0 i32) (local $s1 i32) (local $s2 i32) (local $s3 i32) (local $r i32) (local $t i32)
    (local.set $s0 (i32.load offset=98432 (i32.const 0)))
    (local.set $s1 (i32.load offset=98436 (i32.const 0)))
    (local.set $s2 (i32.load offset=98440 (i32.const 0)))
    (local.set $s3 (i32.load offset=98444 (i32.const 0)))
    (local.set $r (i32.mul (i32.rotl (i32.mul (local.get $s1) (i32.const 5)) (i32.const 7)) (i32.const 9)))
    (local.set $t (i32.shl (local.get $s1) (i32.const 9)))
    (local.set $s2 (i32.xor (local.get $s2) (local.get $s0)))
    (local.set $s3 (i32.xor (local.get $s3) (local.get $s1)))
    (local.set $s1 (i32.xor (local.get $s1) (local.get $s2)))
    (local.set $s0 (i32.xor (local.get $s0) (local.get $s3)))
    (local.set $s2 (i32.xor (local.get $s2) (local.get $t)))
    (local.set $s3 (i32.rotl (local.get $s3) (i32.const 11)))
    (i32.store offset=98432 (i32.const 0) (local.get $s0))
    (i32.store offset=98436 (i32.const 0) (local.get $s1))
    (i32.store offset=98440 (i32.const 0) (local.get $s2))
    (i32.store offset=98444 (i32.const 0) (local.get $s3))
    (local.get $r))

  ;; Uniform in [0, 1) and in (0, 1), exactly as Rng.nextFloat / nextOpenFloat.
  (func $float (result f64)
    (f64.mul (f64.convert_i32_u (call $next)) (f64.const 0x1p-32)))
  (func $open (result f64)
    (f64.mul (f64.add (f64.convert_i32_u (call $next)) (f64.const 0.5)) (f64.const 0x1p-32)))

  (func $abs (param $v i32) (result i32)
    (select (local.get $v) (i32.sub (i32.const 0) (local.get $v)) (i32.ge_s (local.get $v) (i32.const 0))))

  ;; Ziggurat slow path for a word $hz that missed its layer's rectangle (as Rng.normalTail, but drawing
  ;; any further words from the slow stream).
  (func $tail (param $hz i32) (result f64)
    (local $iz i32) (local $x f64) (local $tx f64) (local $ty f64)
    (loop $retry
      (local.set $iz (i32.and (local.get $hz) (i32.const 4095)))
      (local.set $x (f64.mul (f64.convert_i32_s (local.get $hz)) (f64.load offset=32768 (i32.shl (local.get $iz) (i32.const 3)))))
      (if (i32.eqz (local.get $iz))
        (then
          ;; Base strip: the tail beyond R (Marsaglia's exact method).
          (loop $t
            (local.set $tx (f64.div (f64.neg (call $log (call $open))) (f64.const 4.3859450348713036)))
            (local.set $ty (f64.neg (call $log (call $open))))
            (br_if $t (f64.lt (f64.add (local.get $ty) (local.get $ty)) (f64.mul (local.get $tx) (local.get $tx)))))
          (return (select
            (f64.add (f64.const 4.3859450348713036) (local.get $tx))
            (f64.sub (f64.const -4.3859450348713036) (local.get $tx))
            (i32.gt_s (local.get $hz) (i32.const 0))))))
      ;; Wedge: accept under the density.
      (if (f64.lt
            (f64.add
              (f64.load offset=65536 (i32.shl (local.get $iz) (i32.const 3)))
              (f64.mul (call $float)
                (f64.sub (f64.load offset=65528 (i32.shl (local.get $iz) (i32.const 3)))
                         (f64.load offset=65536 (i32.shl (local.get $iz) (i32.const 3))))))
            (call $exp (f64.mul (f64.mul (f64.const -0.5) (local.get $x)) (local.get $x))))
        (then (return (local.get $x))))
      (local.set $hz (call $next))
      (local.set $iz (i32.and (local.get $hz) (i32.const 4095)))
      (if (i32.lt_u (call $abs (local.get $hz)) (i32.load (i32.shl (local.get $iz) (i32.const 2))))
        (then (return (f64.mul (f64.convert_i32_s (local.get $hz)) (f64.load offset=32768 (i32.shl (local.get $iz) (i32.const 3)))))))
      (br $retry))
    (unreachable))

  ;; Replace the missed lanes of the logged groups [from, to) by slow-path draws, in element order.
  (func $drain (param $from i32) (param $to i32) (param $scale f64)
    (local $j i32) (local $dst i32) (local $count i32)
    (block $done
      (loop $entry
        (br_if $done (i32.ge_u (local.get $from) (local.get $to)))
        (local.set $dst (i32.load (local.get $from)))
        (local.set $count (i32.load offset=4 (local.get $from)))
        (local.set $j (i32.const 0))
        (loop $lane
          (if (i32.eqz (i32.load offset=48 (i32.add (local.get $from) (i32.shl (local.get $j) (i32.const 2)))))
            (then
              (f32.store (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 2)))
                (f32.demote_f64 (f64.mul
                  (call $tail (i32.load offset=16 (i32.add (local.get $from) (i32.shl (local.get $j) (i32.const 2)))))
                  (local.get $scale))))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br_if $lane (i32.lt_u (local.get $j) (local.get $count))))
        (local.set $from (i32.add (local.get $from) (i32.const 80)))
        (br $entry))))

  ;; dst[0..n) = normals × scale, lane j of 8 giving elements 8·g + j. WNS must hold WN × scale (as f32).
  (func (export "fill") (param $dst i32) (param $n i32) (param $scale f64)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $ha v128) (local $hb v128) (local $ka v128) (local $kb v128) (local $wa v128) (local $wb v128)
    (local $t v128) (local $i v128)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)
    (local $end i32) (local $count i32) (local $log i32)
    (local.set $a0 (v128.load offset=98304 (i32.const 0)))
    (local.set $b0 (v128.load offset=98320 (i32.const 0)))
    (local.set $a1 (v128.load offset=98336 (i32.const 0)))
    (local.set $b1 (v128.load offset=98352 (i32.const 0)))
    (local.set $a2 (v128.load offset=98368 (i32.const 0)))
    (local.set $b2 (v128.load offset=98384 (i32.const 0)))
    (local.set $a3 (v128.load offset=98400 (i32.const 0)))
    (local.set $b3 (v128.load offset=98416 (i32.const 0)))
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $log (i32.const 98560))
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $group
        ;; Two independent 4-lane xoshiro128** steps (A: lanes 0–3, B: lanes 4–7).
        (local.set $ha (i32x4.mul (local.get $a1) (v128.const i32x4 5 5 5 5)))
        (local.set $ha (v128.or (i32x4.shl (local.get $ha) (i32.const 7)) (i32x4.shr_u (local.get $ha) (i32.const 25))))
        (local.set $ha (i32x4.mul (local.get $ha) (v128.const i32x4 9 9 9 9)))
        (local.set $hb (i32x4.mul (local.get $b1) (v128.const i32x4 5 5 5 5)))
        (local.set $hb (v128.or (i32x4.shl (local.get $hb) (i32.const 7)) (i32x4.shr_u (local.get $hb) (i32.const 25))))
        (local.set $hb (i32x4.mul (local.get $hb) (v128.const i32x4 9 9 9 9)))
        (local.set $t (i32x4.shl (local.get $a1) (i32.const 9)))
        (local.set $a2 (v128.xor (local.get $a2) (local.get $a0)))
        (local.set $a3 (v128.xor (local.get $a3) (local.get $a1)))
        (local.set $a1 (v128.xor (local.get $a1) (local.get $a2)))
        (local.set $a0 (v128.xor (local.get $a0) (local.get $a3)))
        (local.set $a2 (v128.xor (local.get $a2) (local.get $t)))
        (local.set $a3 (v128.or (i32x4.shl (local.get $a3) (i32.const 11)) (i32x4.shr_u (local.get $a3) (i32.const 21))))
        (local.set $t (i32x4.shl (local.get $b1) (i32.const 9)))
        (local.set $b2 (v128.xor (local.get $b2) (local.get $b0)))
        (local.set $b3 (v128.xor (local.get $b3) (local.get $b1)))
        (local.set $b1 (v128.xor (local.get $b1) (local.get $b2)))
        (local.set $b0 (v128.xor (local.get $b0) (local.get $b3)))
        (local.set $b2 (v128.xor (local.get $b2) (local.get $t)))
        (local.set $b3 (v128.or (i32x4.shl (local.get $b3) (i32.const 11)) (i32x4.shr_u (local.get $b3) (i32.const 21))))
        ;; Layer lookups: no gather in WASM SIMD, so one lane at a time.
        (local.set $i (i32x4.shl (v128.and (local.get $ha) (v128.const i32x4 4095 4095 4095 4095)) (i32.const 2)))
        (local.set $p0 (i32x4.extract_lane 0 (local.get $i)))
        (local.set $p1 (i32x4.extract_lane 1 (local.get $i)))
        (local.set $p2 (i32x4.extract_lane 2 (local.get $i)))
        (local.set $p3 (i32x4.extract_lane 3 (local.get $i)))
        (local.set $ka (v128.load32_zero (local.get $p0)))
        (local.set $ka (v128.load32_lane 1 (local.get $p1) (local.get $ka)))
        (local.set $ka (v128.load32_lane 2 (local.get $p2) (local.get $ka)))
        (local.set $ka (v128.load32_lane 3 (local.get $p3) (local.get $ka)))
        (local.set $wa (v128.load32_zero offset=16384 (local.get $p0)))
        (local.set $wa (v128.load32_lane offset=16384 1 (local.get $p1) (local.get $wa)))
        (local.set $wa (v128.load32_lane offset=16384 2 (local.get $p2) (local.get $wa)))
        (local.set $wa (v128.load32_lane offset=16384 3 (local.get $p3) (local.get $wa)))
        (local.set $i (i32x4.shl (v128.and (local.get $hb) (v128.const i32x4 4095 4095 4095 4095)) (i32.const 2)))
        (local.set $p0 (i32x4.extract_lane 0 (local.get $i)))
        (local.set $p1 (i32x4.extract_lane 1 (local.get $i)))
        (local.set $p2 (i32x4.extract_lane 2 (local.get $i)))
        (local.set $p3 (i32x4.extract_lane 3 (local.get $i)))
        (local.set $kb (v128.load32_zero (local.get $p0)))
        (local.set $kb (v128.load32_lane 1 (local.get $p1) (local.get $kb)))
        (local.set $kb (v128.load32_lane 2 (local.get $p2) (local.get $kb)))
        (local.set $kb (v128.load32_lane 3 (local.get $p3) (local.get $kb)))
        (local.set $wb (v128.load32_zero offset=16384 (local.get $p0)))
        (local.set $wb (v128.load32_lane offset=16384 1 (local.get $p1) (local.get $wb)))
        (local.set $wb (v128.load32_lane offset=16384 2 (local.get $p2) (local.get $wb)))
        (local.set $wb (v128.load32_lane offset=16384 3 (local.get $p3) (local.get $wb)))
        ;; Rectangle test |hz| < KN (unsigned, so |−2³¹| = 2³¹ is rejected as in JS).
        (local.set $ka (i32x4.lt_u (i32x4.abs (local.get $ha)) (local.get $ka)))
        (local.set $kb (i32x4.lt_u (i32x4.abs (local.get $hb)) (local.get $kb)))
        (local.set $wa (f32x4.mul (f32x4.convert_i32x4_s (local.get $ha)) (local.get $wa)))
        (local.set $wb (f32x4.mul (f32x4.convert_i32x4_s (local.get $hb)) (local.get $wb)))
        (local.set $count (i32.shr_u (i32.sub (local.get $end) (local.get $dst)) (i32.const 2)))
        (if (i32.ge_u (local.get $count) (i32.const 8))
          (then
            (local.set $count (i32.const 8))
            (v128.store (local.get $dst) (local.get $wa))
            (v128.store offset=16 (local.get $dst) (local.get $wb)))
          (else
            ;; Partial last group: copy its first elements only.
            (v128.store offset=98448 (i32.const 0) (local.get $wa))
            (v128.store offset=98464 (i32.const 0) (local.get $wb))
            (memory.copy (local.get $dst) (i32.const 98448) (i32.shl (local.get $count) (i32.const 2)))))
        (if (i32.eqz (i32x4.all_true (v128.and (local.get $ka) (local.get $kb))))
          (then
            ;; Rare (~1 % of groups): log the group; its missed lanes are redrawn by $drain, in order.
            (i32.store (local.get $log) (local.get $dst))
            (i32.store offset=4 (local.get $log) (local.get $count))
            (v128.store offset=16 (local.get $log) (local.get $ha))
            (v128.store offset=32 (local.get $log) (local.get $hb))
            (v128.store offset=48 (local.get $log) (local.get $ka))
            (v128.store offset=64 (local.get $log) (local.get $kb))
            (local.set $log (i32.add (local.get $log) (i32.const 80)))
            (if (i32.ge_u (local.get $log) (i32.const 114560))
              (then
                (call $drain (i32.const 98560) (local.get $log) (local.get $scale))
                (local.set $log (i32.const 98560))))))
        (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
        (br_if $group (i32.lt_u (local.get $dst) (local.get $end)))))
    (call $drain (i32.const 98560) (local.get $log) (local.get $scale))
    (v128.store offset=98304 (i32.const 0) (local.get $a0))
    (v128.store offset=98320 (i32.const 0) (local.get $b0))
    (v128.store offset=98336 (i32.const 0) (local.get $a1))
    (v128.store offset=98352 (i32.const 0) (local.get $b1))
    (v128.store offset=98368 (i32.const 0) (local.get $a2))
    (v128.store offset=98384 (i32.const 0) (local.get $b2))
    (v128.store offset=98400 (i32.const 0) (local.get $a3))
    (v128.store offset=98416 (i32.const 0) (local.get $b3)))

  ;; out = base + sign · noise over a region: `rows` runs of `w` values, `stride` bytes apart in out/base,
  ;; noise compact. (f32 add of f32 operands equals JS's f64 add rounded to f32.)
  (func (export "perturb") (param $out i32) (param $base i32) (param $noise i32) (param $rows i32) (param $w i32) (param $stride i32) (param $sign f32)
    (local $i i32) (local $vend i32) (local $end i32) (local $s v128)
    (local.set $s (f32x4.splat (local.get $sign)))
    (block $exit
      (br_if $exit (i32.eqz (local.get $rows)))
      (loop $row
        (local.set $i (i32.const 0))
        (local.set $end (i32.shl (local.get $w) (i32.const 2)))
        (local.set $vend (i32.and (local.get $end) (i32.const -16)))
        (block $vdone
          (br_if $vdone (i32.eqz (local.get $vend)))
          (loop $v
            (v128.store (i32.add (local.get $out) (local.get $i))
              (f32x4.add (v128.load (i32.add (local.get $base) (local.get $i)))
                         (f32x4.mul (local.get $s) (v128.load (i32.add (local.get $noise) (local.get $i))))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br_if $v (i32.lt_u (local.get $i) (local.get $vend)))))
        (block $sdone
          (loop $s1
            (br_if $sdone (i32.ge_u (local.get $i) (local.get $end)))
            (f32.store (i32.add (local.get $out) (local.get $i))
              (f32.add (f32.load (i32.add (local.get $base) (local.get $i)))
                       (f32.mul (local.get $sign) (f32.load (i32.add (local.get $noise) (local.get $i))))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $s1)))
        (local.set $out (i32.add (local.get $out) (local.get $stride)))
        (local.set $base (i32.add (local.get $base) (local.get $stride)))
        (local.set $noise (i32.add (local.get $noise) (local.get $end)))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br_if $row (local.get $rows)))))

  ;; acc += weight · noise over a region (acc f64, `stride` = row pitch in values); same rounding as JS.
  (func (export "accumulate") (param $acc i32) (param $noise i32) (param $weight f64) (param $rows i32) (param $w i32) (param $stride i32)
    (local $i i32) (local $vend i32) (local $a i32) (local $z v128) (local $wv v128)
    (local.set $wv (f64x2.splat (local.get $weight)))
    (block $exit
      (br_if $exit (i32.eqz (local.get $rows)))
      (loop $row
        (local.set $i (i32.const 0))
        (local.set $vend (i32.and (local.get $w) (i32.const -4)))
        (block $vdone
          (br_if $vdone (i32.eqz (local.get $vend)))
          (loop $v
            (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 3))))
            (local.set $z (v128.load (i32.add (local.get $noise) (i32.shl (local.get $i) (i32.const 2)))))
            (v128.store (local.get $a)
              (f64x2.add (v128.load (local.get $a)) (f64x2.mul (local.get $wv) (f64x2.promote_low_f32x4 (local.get $z)))))
            (v128.store offset=16 (local.get $a)
              (f64x2.add (v128.load offset=16 (local.get $a))
                (f64x2.mul (local.get $wv) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $z) (local.get $z))))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br_if $v (i32.lt_u (local.get $i) (local.get $vend)))))
        (block $sdone
          (loop $s1
            (br_if $sdone (i32.ge_u (local.get $i) (local.get $w)))
            (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 3))))
            (f64.store (local.get $a)
              (f64.add (f64.load (local.get $a))
                (f64.mul (local.get $weight) (f64.promote_f32 (f32.load (i32.add (local.get $noise) (i32.shl (local.get $i) (i32.const 2))))))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $s1)))
        (local.set $acc (i32.add (local.get $acc) (i32.shl (local.get $stride) (i32.const 3))))
        (local.set $noise (i32.add (local.get $noise) (i32.shl (local.get $w) (i32.const 2))))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br_if $row (local.get $rows)))))
  ;; acc[0..n) += Σ_k weight_k · noise_k[0..n), terms k in order from LIST (count of them), one pass over
  ;; acc: each sum is ((acc + w₀z₀) + w₁z₁) + …, the same as `count` accumulate calls in a row.
  (func (export "accumulateMany") (param $acc i32) (param $count i32) (param $n i32)
    (local $i i32) (local $vend i32) (local $a i32) (local $k i32) (local $e i32) (local $off i32)
    (local $lo v128) (local $hi v128) (local $z v128) (local $wv v128) (local $s f64)
    (local.set $vend (i32.and (local.get $n) (i32.const -4)))
    (local.set $e (i32.add (i32.const 114688) (i32.shl (local.get $count) (i32.const 4))))
    (block $vdone
      (br_if $vdone (i32.eqz (local.get $vend)))
      (loop $v
        (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 3))))
        (local.set $off (i32.shl (local.get $i) (i32.const 2)))
        (local.set $lo (v128.load (local.get $a)))
        (local.set $hi (v128.load offset=16 (local.get $a)))
        (local.set $k (i32.const 114688))
        (block $tdone
          (loop $term
            (br_if $tdone (i32.ge_u (local.get $k) (local.get $e)))
            (local.set $z (v128.load (i32.add (i32.load (local.get $k)) (local.get $off))))
            (local.set $wv (f64x2.splat (f64.load offset=8 (local.get $k))))
            (local.set $lo (f64x2.add (local.get $lo) (f64x2.mul (local.get $wv) (f64x2.promote_low_f32x4 (local.get $z)))))
            (local.set $hi (f64x2.add (local.get $hi)
              (f64x2.mul (local.get $wv) (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $z) (local.get $z))))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $term)))
        (v128.store (local.get $a) (local.get $lo))
        (v128.store offset=16 (local.get $a) (local.get $hi))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br_if $v (i32.lt_u (local.get $i) (local.get $vend)))))
    (block $sdone
      (loop $s1
        (br_if $sdone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $a (i32.add (local.get $acc) (i32.shl (local.get $i) (i32.const 3))))
        (local.set $s (f64.load (local.get $a)))
        (local.set $k (i32.const 114688))
        (block $tdone2
          (loop $term2
            (br_if $tdone2 (i32.ge_u (local.get $k) (local.get $e)))
            (local.set $s (f64.add (local.get $s)
              (f64.mul (f64.load offset=8 (local.get $k))
                (f64.promote_f32 (f32.load (i32.add (i32.load (local.get $k)) (i32.shl (local.get $i) (i32.const 2))))))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $term2)))
        (f64.store (local.get $a) (local.get $s))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $s1))))
)
