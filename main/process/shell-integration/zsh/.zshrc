# Break-Glass Console shell integration for zsh (issue 17, "A command index"): the operator's own
# .zshrc first, unchanged, then the marks (FinalTerm's OSC 133 and VS Code's OSC 633;E):
#   A prompt start, B command start (end of the prompt), E the command line, C executed, D;status.
# Each carries the session's nonce, kept in an unexported parameter so programs started from this
# shell cannot read it and print convincing marks of their own. From here on ZDOTDIR is theirs
# (a login shell's .zlogin is then read from their directory).
ZDOTDIR="$BREAKGLASS_USER_ZDOTDIR"
unset BREAKGLASS_USER_ZDOTDIR
if [[ -f "$ZDOTDIR/.zshrc" ]]; then
  . "$ZDOTDIR/.zshrc"
fi

typeset -g __bg_nonce="${BREAKGLASS_SHELL_NONCE-}"
unset BREAKGLASS_SHELL_NONCE
typeset -g __bg_running=0

# VS Code's escaping for 633 properties: backslash doubled, ';' and control characters as \xNN.
__bg_escape() {
  emulate -L zsh
  local s="$1" out="" c
  local -i i
  for (( i = 1; i <= ${#s}; i++ )); do
    c="${s[i]}"
    if [[ "$c" == '\' ]]; then out+='\\'
    elif [[ "$c" == ';' ]]; then out+='\x3b'
    elif [[ "$c" == [[:cntrl:]] ]]; then out+="$(printf '\\x%02x' "'$c")"
    else out+="$c"
    fi
  done
  print -rn -- "$out"
}

__bg_preexec() {
  __bg_running=1
  builtin printf '\e]633;E;%s;%s\a\e]133;C;bg=%s\a' "$(__bg_escape "$1")" "$__bg_nonce" "$__bg_nonce"
}

__bg_precmd() {
  local ret=$?
  if (( __bg_running )); then
    builtin printf '\e]133;D;%s;bg=%s\a' "$ret" "$__bg_nonce"
  fi
  __bg_running=0
  # Again each time: a prompt theme may have rewritten PS1.
  if [[ "$PS1" != *"133;B;bg=${__bg_nonce}"* ]]; then
    PS1="%{"$'\e]133;A;bg='"${__bg_nonce}"$'\a'"%}${PS1}%{"$'\e]133;B;bg='"${__bg_nonce}"$'\a'"%}"
  fi
}

autoload -Uz add-zsh-hook
add-zsh-hook preexec __bg_preexec
# precmd hooks run in order: ours must see $? first.
precmd_functions=(__bg_precmd ${precmd_functions:#__bg_precmd})
