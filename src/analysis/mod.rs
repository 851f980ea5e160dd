//! Facts about a code object's bytecode that hold on every path, computed
//! once before lowering from the opcode table: the value-stack depth at
//! each reachable instruction, which fast-local slots are bound
//! (non-NULL) before each instruction, and which instruction pushed a
//! stack item where straight-line code leads from it to its use.
//!
//! Both are forward dataflow problems over the instructions, with edges for
//! falling through, jumping, and unwinding to an exception handler (from
//! every instruction its range covers, with that instruction's state before
//! it runs).

use crate::bytecode::opcodes::{self, Flags, Jump};
use crate::bytecode::{handler_at, Handler, Instr};
use crate::abi::op;

/// What the analysis knows about a code object.
pub struct Analysis {
    /// Stack depth before each instruction (by position in `instrs`);
    /// None where no path from the entry or a handler reaches it.
    depth: Vec<Option<u32>>,
    /// Local slots bound before each instruction, one bit per slot.
    bound: Vec<Bits>,
    /// Per instruction: whether a jump or an exception handler lands there,
    /// so that control can reach it other than from the instruction before.
    joins: Vec<bool>,
}

/// Why the bytecode cannot be analysed (and so is not compiled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed(pub String);

/// The shape of a code object the analysis needs.
pub struct Shape<'a> {
    pub instrs: &'a [Instr],
    pub handlers: &'a [Handler],
    pub nlocalsplus: u32,
    /// Slots bound when a frame starts: the arguments, which come first.
    pub bound_at_entry: u32,
}

impl Analysis {
    pub fn of(code: &Shape) -> Result<Analysis, Malformed> {
        let depth = stack_depths(code)?;
        let bound = bound_locals(code, &depth);
        let joins = joins(code);
        Ok(Analysis { depth, bound, joins })
    }

    /// The stack depth before the instruction at `position`, if reachable.
    pub fn depth(&self, position: usize) -> Option<u32> {
        self.depth[position]
    }

    /// Whether local slot `slot` is bound on every path to the instruction
    /// at `position`.
    pub fn is_bound(&self, position: usize, slot: u32) -> bool {
        self.bound[position].get(slot)
    }

    /// The slots bound before the instruction at `position`.
    pub fn bound_slots(&self, position: usize) -> Vec<u32> {
        self.bound[position].iter().collect()
    }

    /// The instruction that pushed the item `below` items under the top of
    /// the stack before the instruction at `position`, and which of its
    /// results that item is (0: the top one), when control only falls
    /// through from that instruction to `position` (no jump or handler lands
    /// in between), so that the item is that result on every path.
    pub fn producer(&self, instrs: &[Instr], position: usize, mut below: u32) -> Option<(usize, u32)> {
        let mut at = position;
        while at > 0 && !self.joins[at] {
            at -= 1;
            let ins = instrs[at];
            let opcode = opcodes::opcode(ins.opcode)?;
            if opcode.flags.contains(Flags::ENDS_BLOCK) {
                return None;
            }
            // The stack effect of falling through.
            let (pops, pushes) = (opcode.stack)(ins.arg);
            if below < pushes {
                return Some((at, below));
            }
            below = below - pushes + pops;
        }
        None
    }
}

/// Per instruction: whether a jump or an exception handler lands there.
fn joins(code: &Shape) -> Vec<bool> {
    let instrs = code.instrs;
    let mut joins = vec![false; instrs.len()];
    let targets = instrs.iter().filter_map(Instr::jump_target).chain(code.handlers.iter().map(|h| h.target));
    for target in targets {
        if let Some(position) = position_of(instrs, target) {
            joins[position] = true;
        }
    }
    joins
}

/// Position (in `instrs`) of the instruction starting at code unit `start`.
pub fn position_of(instrs: &[Instr], start: u32) -> Option<usize> {
    instrs.binary_search_by_key(&start, |i| i.start).ok()
}

/// An edge of the control flow: the position it leads to, and the items
/// popped and pushed on the way.
type Edge = (usize, (u32, u32));

/// Where control can go after the instruction at `position`, each with the
/// stack effect of that edge; exception edges are added separately.
fn successors(instrs: &[Instr], position: usize) -> Result<Vec<Edge>, Malformed> {
    let ins = instrs[position];
    let Some(opcode) = opcodes::opcode(ins.opcode) else {
        return Err(Malformed(format!("unknown opcode {}", ins.opcode)));
    };
    let mut next = Vec::with_capacity(2);
    if !opcode.flags.contains(Flags::ENDS_BLOCK) && position + 1 < instrs.len() {
        next.push((position + 1, (opcode.stack)(ins.arg)));
    }
    if opcode.jump != Jump::None {
        let target = ins.jump_target().expect("jumping opcodes have targets");
        let Some(to) = position_of(instrs, target) else {
            return Err(Malformed(format!("jump to offset {} inside an instruction", 2 * target)));
        };
        next.push((to, (opcode.jump_stack)(ins.arg)));
    }
    Ok(next)
}

fn stack_depths(code: &Shape) -> Result<Vec<Option<u32>>, Malformed> {
    let instrs = code.instrs;
    let mut depth = vec![None; instrs.len()];
    let mut work = Vec::new();
    let reach = |depth: &mut Vec<Option<u32>>, work: &mut Vec<usize>, to: usize, d: u32| match depth[to] {
        None => {
            depth[to] = Some(d);
            work.push(to);
            Ok(())
        }
        Some(known) if known == d => Ok(()),
        Some(known) => {
            Err(Malformed(format!("stack depths {known} and {d} meet at offset {}", 2 * instrs[to].start)))
        }
    };
    if !instrs.is_empty() {
        reach(&mut depth, &mut work, 0, 0)?;
    }
    while let Some(position) = work.pop() {
        let d = depth[position].expect("queued instructions have a depth");
        for (to, (pops, pushes)) in successors(instrs, position)? {
            let Some(after) = d.checked_sub(pops) else {
                return Err(Malformed(format!("stack underflow at offset {}", 2 * instrs[position].index)));
            };
            reach(&mut depth, &mut work, to, after + pushes)?;
        }
        if let Some(h) = handler_at(code.handlers, instrs[position].index) {
            let Some(to) = position_of(instrs, h.target) else {
                return Err(Malformed(format!("handler at offset {} inside an instruction", 2 * h.target)));
            };
            reach(&mut depth, &mut work, to, h.depth + u32::from(h.push_lasti) + 1)?;
        }
    }
    Ok(depth)
}

fn bound_locals(code: &Shape, depth: &[Option<u32>]) -> Vec<Bits> {
    let instrs = code.instrs;
    let slots = code.nlocalsplus;
    // Start from "everything bound" (the top of the lattice) and intersect:
    // unreachable instructions keep it, which no lowering consults.
    let mut bound = vec![Bits::full(slots); instrs.len()];
    if !instrs.is_empty() {
        bound[0] = Bits::first(slots, code.bound_at_entry);
    }
    // Every reachable instruction is processed at least once, so that its
    // own effect reaches its successors even when its state never shrinks.
    let mut queued: Vec<bool> = depth.iter().map(Option::is_some).collect();
    let mut work: Vec<usize> = (0..instrs.len()).rev().filter(|&p| queued[p]).collect();
    while let Some(position) = work.pop() {
        queued[position] = false;
        let ins = instrs[position];
        let before = bound[position].clone();
        let mut after = before.clone();
        match ins.opcode {
            op::STORE_FAST | op::MAKE_CELL => after.set(ins.arg),
            op::DELETE_FAST => after.clear(ins.arg),
            op::COPY_FREE_VARS => (slots - ins.arg..slots).for_each(|slot| after.set(slot)),
            _ => {}
        }
        let mut edges: Vec<(usize, &Bits)> =
            successors(instrs, position).unwrap_or_default().into_iter().map(|(to, _)| (to, &after)).collect();
        if let Some(to) = handler_at(code.handlers, ins.index).and_then(|h| position_of(instrs, h.target)) {
            edges.push((to, &before));
        }
        for (to, state) in edges {
            if depth[to].is_some() && bound[to].intersect(state) && !queued[to] {
                queued[to] = true;
                work.push(to);
            }
        }
    }
    bound
}

/// A set of local slots.
#[derive(Clone, PartialEq, Eq)]
struct Bits(Vec<u64>);

impl Bits {
    fn full(slots: u32) -> Bits {
        Bits(vec![u64::MAX; (slots as usize).div_ceil(64)])
    }
    /// The slots `0..count` of `slots`.
    fn first(slots: u32, count: u32) -> Bits {
        let mut bits = Bits(vec![0; (slots as usize).div_ceil(64)]);
        (0..count.min(slots)).for_each(|slot| bits.set(slot));
        bits
    }
    fn get(&self, slot: u32) -> bool {
        self.0.get(slot as usize / 64).is_some_and(|word| word & (1 << (slot % 64)) != 0)
    }
    fn set(&mut self, slot: u32) {
        if let Some(word) = self.0.get_mut(slot as usize / 64) {
            *word |= 1 << (slot % 64);
        }
    }
    fn clear(&mut self, slot: u32) {
        if let Some(word) = self.0.get_mut(slot as usize / 64) {
            *word &= !(1 << (slot % 64));
        }
    }
    /// Intersects with `other`; returns whether anything changed.
    fn intersect(&mut self, other: &Bits) -> bool {
        let mut changed = false;
        for (word, other) in self.0.iter_mut().zip(&other.0) {
            let new = *word & other;
            changed |= new != *word;
            *word = new;
        }
        changed
    }
    fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.0.len() as u32 * 64).filter(|&slot| self.get(slot))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytecode::decode;

    fn analyse(code: &[u8], handlers: &[Handler], nlocalsplus: u32, args: u32) -> Analysis {
        let instrs = decode(code);
        Analysis::of(&Shape { instrs: &instrs, handlers, nlocalsplus, bound_at_entry: args }).unwrap()
    }

    #[test]
    fn depths_follow_the_stack_effects_on_both_edges() {
        // 0 LOAD_FAST 0; 1 GET_ITER; 2 FOR_ITER +2 (to 5); 3 STORE_FAST 1;
        // 4 JUMP_BACKWARD 3 (to 2); 5 LOAD_CONST 0; 6 RETURN_VALUE
        let code = [
            op::LOAD_FAST, 0, op::GET_ITER, 0, op::FOR_ITER, 2, op::STORE_FAST, 1,
            op::JUMP_BACKWARD, 3, op::LOAD_CONST, 0, op::RETURN_VALUE, 0,
        ];
        let a = analyse(&code, &[], 2, 1);
        let depths: Vec<_> = (0..7).map(|p| a.depth(p)).collect();
        assert_eq!(depths, [Some(0), Some(1), Some(1), Some(2), Some(1), Some(0), Some(1)]);
    }

    #[test]
    fn producers_are_found_through_straight_line_code_only() {
        // 0 LOAD_CONST 0; 1 LOAD_FAST 0; 2 LOAD_FAST 1; 3 BUILD_TUPLE 2;
        // 4 POP_JUMP_FORWARD_IF_FALSE +1 (to 6); 5 NOP; 6 RETURN_VALUE
        let code = [
            op::LOAD_CONST, 0, op::LOAD_FAST, 0, op::LOAD_FAST, 1, op::BUILD_TUPLE, 2,
            op::POP_JUMP_FORWARD_IF_FALSE, 1, op::NOP, 0, op::RETURN_VALUE, 0,
        ];
        let instrs = decode(&code);
        let a = analyse(&code, &[], 2, 2);
        assert_eq!(a.producer(&instrs, 3, 0), Some((2, 0)));
        assert_eq!(a.producer(&instrs, 3, 2), Some((0, 0)));
        assert_eq!(a.producer(&instrs, 4, 0), Some((3, 0)), "the tuple, not its items");
        assert_eq!(a.producer(&instrs, 5, 0), Some((0, 0)), "the jump's fall-through popped the tuple");
        assert_eq!(a.producer(&instrs, 6, 0), None, "a jump lands there");
        assert_eq!(a.producer(&instrs, 1, 1), None, "nothing pushed it");
    }

    #[test]
    fn a_local_is_bound_only_where_every_path_stored_it() {
        // 0 LOAD_FAST 0 (arg); 1 POP_JUMP_FORWARD_IF_FALSE +2 (to 4);
        // 2 LOAD_CONST 0; 3 STORE_FAST 1; 4 LOAD_FAST 1; 5 RETURN_VALUE
        let code = [
            op::LOAD_FAST, 0, op::POP_JUMP_FORWARD_IF_FALSE, 2, op::LOAD_CONST, 0, op::STORE_FAST, 1,
            op::LOAD_FAST, 1, op::RETURN_VALUE, 0,
        ];
        let a = analyse(&code, &[], 2, 1);
        assert!(a.is_bound(0, 0));
        assert!(!a.is_bound(4, 1), "not stored on the jumping path");
        let straight = [op::LOAD_CONST, 0, op::STORE_FAST, 1, op::LOAD_FAST, 1, op::RETURN_VALUE, 0];
        let a = analyse(&straight, &[], 2, 0);
        assert!(a.is_bound(2, 1));
        assert!(!a.is_bound(0, 1));
    }

    #[test]
    fn a_handler_sees_the_state_before_each_covered_instruction() {
        // 0 NOP; 1 LOAD_CONST 0; 2 STORE_FAST 0; 3 LOAD_CONST 0;
        // 4 RETURN_VALUE; handler 5: POP_TOP; 6 LOAD_FAST 0; 7 RETURN_VALUE.
        // Units 1..4 are covered: an exception there may precede the store.
        let code = [
            op::NOP, 0, op::LOAD_CONST, 0, op::STORE_FAST, 0, op::LOAD_CONST, 0, op::RETURN_VALUE, 0,
            op::POP_TOP, 0, op::LOAD_FAST, 0, op::RETURN_VALUE, 0,
        ];
        let handler = Handler { start: 1, end: 4, target: 5, depth: 0, push_lasti: false };
        let a = analyse(&code, &[handler], 1, 0);
        assert_eq!(a.depth(5), Some(1));
        assert!(!a.is_bound(6, 0));
    }

    #[test]
    fn mismatched_depths_are_malformed() {
        // 0 LOAD_CONST; 1 POP_JUMP_FORWARD_IF_TRUE +1 (to 3, depth 0);
        // 2 LOAD_CONST (depth 1 at 3)
        let code = [op::LOAD_CONST, 0, op::POP_JUMP_FORWARD_IF_TRUE, 1, op::LOAD_CONST, 0, op::RETURN_VALUE, 0];
        let instrs = decode(&code);
        let shape = Shape { instrs: &instrs, handlers: &[], nlocalsplus: 0, bound_at_entry: 0 };
        assert!(Analysis::of(&shape).is_err());
    }
}
