/* SPDX-License-Identifier: MIT */
/*
 * A system call that an ioproc helper can be interrupted out of, at any
 * moment, without a race (x86-64).
 *
 * long _t9iosyscall(int *intr, long nr, long a1, long a2, long a3, long a4)
 *
 * Returns the call's result (-errno on error), or -EINTR without making the
 * call when *intr is set.  iointerrupt sets *intr and then sends the helper
 * Sigiointr (handler without SA_RESTART).  If the signal comes while the
 * helper is blocked in the call, the call ends with -EINTR; if it comes
 * before, between _t9iosysbegin and the syscall instruction, the handler
 * moves the helper to _t9iosyscancel; before _t9iosysbegin, the test of *intr
 * sees it.  A call that has finished keeps its result.
 */

	.text
	.globl	_t9iosyscall, _t9iosysbegin, _t9iosysend, _t9iosyscancel
	.hidden	_t9iosyscall, _t9iosysbegin, _t9iosysend, _t9iosyscancel
	.type	_t9iosyscall, @function
	.p2align 4
_t9iosyscall:
	.cfi_startproc
	movq	%rdi, %r11		/* intr (the syscall clobbers r11 later) */
	movq	%rsi, %rax		/* nr */
	movq	%rdx, %rdi		/* a1..a4 where the kernel wants them */
	movq	%rcx, %rsi
	movq	%r8, %rdx
	movq	%r9, %r10
_t9iosysbegin:
	cmpl	$0, (%r11)
	jne	_t9iosyscancel
	syscall
_t9iosysend:
	ret
_t9iosyscancel:
	movq	$-4, %rax		/* -EINTR */
	ret
	.cfi_endproc
	.size	_t9iosyscall, . - _t9iosyscall

	.section .note.GNU-stack, "", @progbits
