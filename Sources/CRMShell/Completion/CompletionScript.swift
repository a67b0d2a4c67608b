/// The completion scripts `crm completion bash|zsh|fish` prints. Each asks
/// `crm __complete INDEX WORD…` for the candidates, so verbs, entities, fields and plugin
/// commands come from the user's own database, as the prompt's Tab does.
public enum CompletionScript {
    /// The script for `shell` (bash, zsh or fish); empty for any other.
    public static func text(for shell: String) -> String {
        switch shell {
        case "bash": return bash
        case "zsh": return zsh
        case "fish": return fish
        default: return ""
        }
    }

    public static let bash = #"""
        # bash completion for crm. Load it with: source <(crm completion bash)
        # or install it as share/bash-completion/completions/crm (scripts/install does).
        _crm() {
            local cur=${COMP_WORDS[COMP_CWORD]} program=${COMP_WORDS[0]/#\~/$HOME}
            local IFS=$'\n' answer
            answer=$("$program" __complete "$COMP_CWORD" "${COMP_WORDS[@]}" 2>/dev/null) || return 0
            if [[ $answer == __files__ ]]; then
                compopt -o filenames 2>/dev/null
                COMPREPLY=($(compgen -f -- "$cur"))
                return 0
            fi
            COMPREPLY=($answer)
            local prev=${COMP_WORDS[COMP_CWORD-1]}
            if [[ $prev == -c || $prev == --command ]] && (( ${#COMPREPLY[@]} == 1 )); then
                # A command goes on after the word: no space after field=, and the quote
                # stays open. bash closes the quote after a single match, so when there is
                # one, offer it twice (with one space and with two): readline inserts what
                # the two share and leaves the quote open.
                local only=${COMPREPLY[0]}
                [[ $only == *= ]] || only+=" "
                compopt -o nospace 2>/dev/null
                case $cur in
                    \'*|\"*) COMPREPLY=("$only" "$only ") ;;
                    *) COMPREPLY=("'$only") ;;  # open the quote the command needs
                esac
            elif (( ${#COMPREPLY[@]} == 1 )) && [[ ${COMPREPLY[0]} == *= ]]; then
                compopt -o nospace 2>/dev/null
            fi
            return 0
        }
        complete -F _crm crm

        """#

    public static let zsh = #"""
        #compdef crm
        # zsh completion for crm. Install it as share/zsh/site-functions/_crm (scripts/install
        # does), or load it with: source <(crm completion zsh)
        _crm() {
            local -a answer
            answer=("${(@f)$(${words[1]} __complete $((CURRENT - 1)) "${words[@]}" 2>/dev/null)}")
            if [[ ${answer[1]} == __files__ ]]; then
                _files
                return
            fi
            (( ${#answer} )) && [[ -n ${answer[1]} ]] || return 1
            local -a plain equals
            local w
            if [[ ${words[CURRENT-1]} == -c ]]; then
                # A command goes on after the word: keep the quote open, a space after a
                # finished word and none after field=; outside quotes, open them.
                for w in "${answer[@]}"; do
                    [[ $w == *= ]] || w+=" "
                    plain+=("$w")
                done
                if [[ -n $compstate[quote] ]]; then
                    compadd -Q -S '' -- "${plain[@]}"
                else
                    local q="'"
                    compadd -U -Q -S '' -- "${plain[@]/#/$q}"
                fi
                return
            fi
            for w in "${answer[@]}"; do
                if [[ $w == *= ]]; then equals+=("$w"); else plain+=("$w"); fi
            done
            (( ${#plain} )) && compadd -Q -- "${plain[@]}"
            (( ${#equals} )) && compadd -Q -S '' -- "${equals[@]}"
        }
        if [[ $funcstack[1] == _crm ]]; then
            _crm "$@"
        else
            compdef _crm crm
        fi

        """#

    public static let fish = #"""
        # fish completion for crm. Install it as share/fish/vendor_completions.d/crm.fish
        # (scripts/install does), or load it with: crm completion fish | source
        function __crm_complete
            set -l words (commandline -opc)
            set -l current (commandline -ct)
            set -l answer ($words[1] __complete (count $words) $words $current 2>/dev/null)
            if test "$answer" = __files__
                __fish_complete_path $current
                return
            end
            printf '%s\n' $answer
        end
        complete -c crm -f -a '(__crm_complete)'

        """#
}
