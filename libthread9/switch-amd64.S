/* SPDX-License-Identifier: MIT */
/*
 * Thread context switch for x86-64 (System V ABI).  A thread's context is
 * its stack pointer: everything else the ABI asks a callee to preserve
 * (rbx, rbp, r12-r15, the x87 control word and MXCSR's control bits) is
 * pushed on its own stack.  No system call: the signal mask is per kernel
 * task and threads of a proc share it.
 *
 * Frame, from the saved stack pointer up:
 *	0	MXCSR (4 bytes), x87 control word (2 bytes), pad
 *	8	r15, r14, r13, r12, rbx, rbp
 *	56	return address
 * sched.c forges this frame for a new thread, with r12 = its Thread and the
 * return address _t9threadstart.
 */

	.text

/* void _t9threadswitch(void **save, void *load) */
	.globl	_t9threadswitch
	.hidden	_t9threadswitch
	.type	_t9threadswitch, @function
	.p2align 4
_t9threadswitch:
	.cfi_startproc
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$8, %rsp
	stmxcsr	(%rsp)
	fnstcw	4(%rsp)
	movq	%rsp, (%rdi)

	movq	%rsi, %rsp
	ldmxcsr	(%rsp)
	fldcw	4(%rsp)
	addq	$8, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.cfi_endproc
	.size	_t9threadswitch, .-_t9threadswitch

/*
 * A new thread's first return lands here, with the stack 16-byte aligned.
 * Marking the return address undefined ends backtraces (gdb, ASan) here.
 */
	.globl	_t9threadstart
	.hidden	_t9threadstart
	.type	_t9threadstart, @function
	.p2align 4
_t9threadstart:
	.cfi_startproc
	.cfi_undefined rip
	movq	%r12, %rdi
	call	_t9threadentry@PLT
	ud2
	.cfi_endproc
	.size	_t9threadstart, .-_t9threadstart

	.section .note.GNU-stack, "", @progbits
