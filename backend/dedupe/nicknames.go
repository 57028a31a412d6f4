package dedupe

import "strings"

// nicknameGroups lists given names with their nicknames and common
// spelling variants, the formal name first. A name may be in more than one
// group ("al": Albert, Alan, Alexander…); two names in a common group are
// the same name.
const nicknameGroups = `
abigail abby abbie gail
abraham abe bram
adam ad
adelaide addie adele
adrian ade
albert al bert bertie
alan al allan allen
alexander alex al alec sandy xander sasha alexandre alejandro alessandro aleksandr
alexandra alex alexa sandra sandy lexi sasha alejandra alessandra
alfred al alf alfie fred freddie
alice ali allie
alison ali allie allison alyson
amanda mandy manda
andrew andy drew andre andreas andres andrea
angela angie
anne ann annie anna nan nancy hannah anya ana
anthony tony antony anton antonio antoine
arthur art artie
barbara barb barbie babs
benjamin ben benny benji
bernard bernie bernd
beatrice bea trixie
catherine cathy cath kate katie kat cate katherine kathryn kathy kay kit katarina caterina catalina
charles charlie chuck chas carl karl carlos charley
charlotte charlie lottie lotte
christina chris tina christine kristina kristine chrissy kristin kristen
christopher chris kit topher cristopher christoph kristof kristoffer cristobal
clifford cliff
cynthia cindy
daniel dan danny dani
david dave davey davy
deborah debbie deb debra debby
dennis denny
diana di diane dianne
dominic dom dominik
donald don donny
dorothy dot dottie dolly
douglas doug
edward ed eddie ted teddy ned edouard eduardo
edwin ed eddie
eleanor ellie nell nora elly elinor
elizabeth liz lizzie beth betty betsy eliza lisa elise bess libby elsa elisabeth elisabetta isabel isabella bella
emily em emmy emilie
emma em emmy
eric rick ricky erik erich
eugene gene
evelyn evie eve
frances fran frankie fanny francesca francoise
francis frank frankie fran francisco francois franz francesco
frederick fred freddie fritz friedrich fredrik federico
gabriel gabe gabi
gabrielle gabby gabi gabriela
geoffrey geoff jeff jeffrey
gerald gerry jerry
gregory greg
harold harry hal
harriet hattie
henry hank harry hal henri enrique heinrich hendrik
herbert herb bert
howard howie
isaac ike
jacob jake jakob jacobo jack
jacqueline jackie jacky
james jim jimmy jamie jimbo diego jaime jacques
jane janie jenny jean janet jeanne jan jana
janet jan jenny
jason jay
jeffrey jeff geoff
jennifer jen jenny jenn jenni
jeremy jerry
jessica jess jessie
joan joanie jo
joanna jo joanne johanna
john jon johnny jack johann johannes juan giovanni jan jean ivan sean shaun shawn hans jonny
jonathan jon jonny nathan john
joseph joe joey jose giuseppe josef jo
josephine jo josie
joshua josh
judith judy jude
julia julie jules juliet julianne
katherine kate kathy katie kat cathy kathryn kay
kenneth ken kenny
kimberly kim kimmy
lawrence larry laurence lorenzo laurent
leonard leo len lenny leon leonardo
leslie les
lillian lily lil lilly
louis lou louie luis luigi ludwig lewis
louise lou lulu luisa
lucas luke luca lukas
lucy lucille lucia
margaret maggie meg peggy marge margie greta maisie margarita marguerite margot
marie mary maria mimi mia
mary molly polly mae mamie maria marie mia
martha marty mattie
martin marty martino
matthew matt matty mathew matthias mateo matteo mathieu
megan meg meghan
melissa mel missy lisa
michael mike mikey mick mickey michel miguel michele mikhail micha
michelle shelly michele micki
mitchell mitch
natalie nat natalia natasha
nathaniel nate nat nathan
nicholas nick nicky nico nicolas nikolai niklas klaus colin
nicole nikki nicky nicola
oliver ollie olly
olivia liv livvy ollie
pamela pam
patricia pat patty tricia trish patsy
patrick pat paddy patrice
paul paulie pablo paolo pavel
peter pete pedro pierre pietro piotr
philip phil pip felipe philippe filip phillip
rachel rach shelly
raymond ray
rebecca becky becca reba
richard rick ricky rich richie dick rico ricardo
robert bob bobby rob robbie bert roberto
rodney rod
ronald ron ronnie
rosemary rose rosie
russell russ
samantha sam sammy
samuel sam sammy
sandra sandy sandi
sarah sara sally sadie
stephanie steph stef stefanie
stephen steve stevie steven stefan esteban stephan
susan sue susie suzy suzanne
terence terry
theodore ted teddy theo
thomas tom tommy thom tomas tomasz
timothy tim timmy
valerie val
veronica ronnie vera
victoria vicky tori vic
vincent vince vinny vincenzo
virginia ginny ginger
walter walt wally
william bill billy will willie liam wilhelm guillermo guillaume
zachary zach zack
`

// nicknames maps each name to the groups it is in.
var nicknames = func() map[string][]int {
	m := map[string][]int{}
	for i, line := range strings.Split(strings.TrimSpace(nicknameGroups), "\n") {
		for _, n := range strings.Fields(line) {
			m[n] = append(m[n], i)
		}
	}
	return m
}()

// sameGivenName reports whether a and b (folded) are one given name:
// equal, or nicknames or variants of each other (Bob, Robert).
func sameGivenName(a, b string) bool {
	if a == b {
		return true
	}
	for _, g := range nicknames[a] {
		for _, h := range nicknames[b] {
			if g == h {
				return true
			}
		}
	}
	return false
}

// givenKeys are the blocking keys of a given name: its nickname groups,
// or the name itself when it is in none.
func givenKeys(a string) []string {
	gs := nicknames[a]
	if len(gs) == 0 {
		return []string{soundex(a)}
	}
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = "g" + itoa(g)
	}
	return out
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
