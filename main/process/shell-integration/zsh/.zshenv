# Break-Glass Console shell integration for zsh (issue 17): ZDOTDIR points here so zsh reads these
# files; each one sources the operator's own file of the same name, unchanged, from their ZDOTDIR.
__bg_zdotdir="$ZDOTDIR"
ZDOTDIR="${BREAKGLASS_USER_ZDOTDIR:-$HOME}"
if [[ -f "$ZDOTDIR/.zshenv" ]]; then
  . "$ZDOTDIR/.zshenv"
fi
# Their .zshenv may have moved ZDOTDIR: that is where their other files are.
BREAKGLASS_USER_ZDOTDIR="$ZDOTDIR"
ZDOTDIR="$__bg_zdotdir"
